//! The router: public routes, signed-in pages and the token-authenticated API, with the
//! middleware every request passes through.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::from_fn;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::CompressionLevel;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

use crate::auth::{require_login, require_token, session_layer};
use crate::csrf::check_csrf;
use crate::error::render_errors;
use crate::headers::security_headers;
use crate::state::AppState;

pub mod access;
pub mod actions;
pub mod api;
pub mod api_cases;
pub mod api_centres;
pub mod api_minors;
pub mod api_monitoring;
pub mod api_network;
pub mod api_work;
pub mod audit;
pub mod booking;
pub mod case_records;
pub mod cases;
pub mod catalogue;
pub mod centres;
pub mod content;
pub mod duplicates;
pub mod front_office;
pub mod guide;
pub mod health;
pub mod helpdesk;
pub mod home;
pub mod inbox;
pub mod inspection_pdf;
pub mod inspections;
pub mod login;
pub mod minor_care;
pub mod minor_events;
pub mod minors;
pub mod monitoring;
pub mod network;
pub mod open_data;
pub mod orgs;
pub mod partner;
pub mod people;
pub mod person_export;
pub mod placement;
pub mod profile;
pub mod public;
pub mod public_pdf;
pub mod reports;
pub mod safe_space;
pub mod services;
pub mod trainings;
pub mod users;

/// Who may reach a route: used by the permission tests, which try every route as every role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    SignedIn,
    Perm(domain::policy::Permission),
    /// The permission, and the record (a person of Programma Integra in the tests) within
    /// the actor's scope.
    Record(domain::policy::Permission),
    /// The permission over the hub that has the minor (the Red Cross hub in the tests).
    Minor(domain::policy::Permission),
    /// The permission with the whole programme in scope.
    Programme(domain::policy::Permission),
}

pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

use domain::policy::Permission as P;

/// Every route of the application (`{id}` is filled in by tests).
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec {
        method: "GET",
        path: "/healthz",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/login",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/bn/",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/ar/info-points",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/it/open-data",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/open-data/tcn_reached_by_month.csv",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/language/en",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/api/openapi.json",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/profile",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/profile/digest",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/profile/password",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/profile/totp",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/profile/tokens",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/admin/organisations",
        access: Access::Perm(P::ViewOrganisations),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/organisations/{org}",
        access: Access::Perm(P::ViewOrganisations),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/organisations/new",
        access: Access::Perm(P::ManageOrganisations),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/organisations",
        access: Access::Perm(P::ManageOrganisations),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/organisations/{org}",
        access: Access::Perm(P::ManageOrganisations),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/users",
        access: Access::Perm(P::ViewUsers),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/users/new",
        access: Access::Perm(P::ManageUsers),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/users/{user}",
        access: Access::Perm(P::ViewUsers),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/users",
        access: Access::Perm(P::ManageUsers),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/users/{user}",
        access: Access::Perm(P::ManageUsers),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/users/{user}/disable",
        access: Access::Perm(P::ManageUsers),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/users/{user}/enable",
        access: Access::Perm(P::ManageUsers),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/users/{user}/reset-password",
        access: Access::Perm(P::ManageUsers),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/audit",
        access: Access::Perm(P::ViewAudit),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/me",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/organisations",
        access: Access::Perm(P::ViewOrganisations),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/organisations/{org}",
        access: Access::Perm(P::ViewOrganisations),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/organisations",
        access: Access::Perm(P::ManageOrganisations),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/users",
        access: Access::Perm(P::ViewUsers),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/users/{user}",
        access: Access::Perm(P::ViewUsers),
    },
    RouteSpec {
        method: "POST",
        path: "/people/{person}/merge",
        access: Access::Record(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/people/{person}/merges/no-such-merge/undo",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "GET",
        path: "/inbox",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/inbox/no-such-item/done",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/people/duplicates",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/people/duplicates/no-such-pair/merge",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/people/duplicates/no-such-pair/ask",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/people/duplicates/no-such-pair/answer",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/people/duplicates/no-such-pair/distinct",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/people/{person}/access-requests",
        access: Access::Perm(P::SearchPeople),
    },
    RouteSpec {
        method: "GET",
        path: "/access-requests",
        access: Access::Perm(P::SearchPeople),
    },
    RouteSpec {
        method: "GET",
        path: "/access-requests/no-such-request",
        access: Access::Perm(P::SearchPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/access-requests/no-such-request/grant",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/access-requests/no-such-request/refuse",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/access-requests/no-such-request/withdraw",
        access: Access::Perm(P::SearchPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/access-requests/no-such-request/revoke",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/purposes",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/appointments/no-such-appointment",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/appointments/no-such-appointment/answer",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/appointments/no-such-appointment/proposal",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/actions/no-such-action/assign",
        access: Access::Perm(P::AnswerFindings),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/inbox",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/persons/{person}/access-requests",
        access: Access::Perm(P::SearchPeople),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/access-requests",
        access: Access::Perm(P::SearchPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/access-requests/no-such-request/grant",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/access-requests/no-such-request/refuse",
        access: Access::Perm(P::EditPeople),
    },
    RouteSpec {
        method: "GET",
        path: "/cases",
        access: Access::Perm(P::ViewCases),
    },
    RouteSpec {
        method: "GET",
        path: "/cases/new?person={person}",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "GET",
        path: "/cases/{case}",
        access: Access::Record(P::ViewCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/status",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/tasks",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/referrals",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/referrals/no-such-referral/accept",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/referrals/no-such-referral/complete",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/notes",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "GET",
        path: "/cases/{case}/notes/new",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/appointments",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/appointments/no-such-appointment/status",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/documents",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "GET",
        path: "/cases/{case}/documents/no-such-document",
        access: Access::Record(P::ViewCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/{case}/documents/no-such-document/remove",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "GET",
        path: "/people/{person}/export.pdf",
        access: Access::Record(P::ViewPeople),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/catalogue",
        access: Access::Perm(P::ManageCatalogue),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/catalogue/new",
        access: Access::Perm(P::ManageCatalogue),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/catalogue",
        access: Access::Perm(P::ManageCatalogue),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/catalogue/family_reunification",
        access: Access::Perm(P::ManageCatalogue),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/catalogue/family_reunification",
        access: Access::Perm(P::ManageCatalogue),
    },
    RouteSpec {
        method: "GET",
        path: "/admin/legal-rules",
        access: Access::Perm(P::ManageCatalogue),
    },
    RouteSpec {
        method: "POST",
        path: "/admin/legal-rules",
        access: Access::Perm(P::ManageCatalogue),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/cases/{case}",
        access: Access::Record(P::ViewCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/cases",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/cases/{case}/tasks",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/cases/{case}/referrals",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/referrals/no-such-referral/accept",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/referrals/no-such-referral/complete",
        access: Access::Perm(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/cases/{case}/notes",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/cases/{case}/appointments",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/cases/{case}/documents",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/cases/{case}/documents/no-such-document",
        access: Access::Record(P::ViewCases),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/cases/{case}/tasks/no-such-task/done",
        access: Access::Record(P::EditCases),
    },
    RouteSpec {
        method: "GET",
        path: "/people/{person}/export",
        access: Access::Record(P::ViewPeople),
    },
    RouteSpec {
        method: "GET",
        path: "/cases/citizenship",
        access: Access::Perm(P::ViewCases),
    },
    RouteSpec {
        method: "POST",
        path: "/cases/citizenship/export",
        access: Access::Perm(P::ViewCases),
    },
    RouteSpec {
        method: "GET",
        path: "/minors",
        access: Access::Perm(P::ViewMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/guardians",
        access: Access::Perm(P::ViewMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/guardians",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/sim",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/sim/export",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/sim/no-such-export/sent",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/centres",
        access: Access::Perm(P::ViewCentres),
    },
    RouteSpec {
        method: "GET",
        path: "/centres/new",
        access: Access::Perm(P::ManageCentres),
    },
    RouteSpec {
        method: "POST",
        path: "/centres",
        access: Access::Perm(P::ManageCentres),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/centres",
        access: Access::Perm(P::ViewCentres),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/centres/presences/import",
        access: Access::Perm(P::RecordPresences),
    },
    RouteSpec {
        method: "GET",
        path: "/checklists/2021",
        access: Access::Perm(P::ViewCentres),
    },
    RouteSpec {
        method: "GET",
        path: "/centres/presences/import",
        access: Access::Perm(P::RecordPresences),
    },
    RouteSpec {
        method: "GET",
        path: "/inspections",
        access: Access::Perm(P::ViewCentres),
    },
    RouteSpec {
        method: "GET",
        path: "/front-office",
        access: Access::Perm(P::LogContacts),
    },
    RouteSpec {
        method: "GET",
        path: "/agenda",
        access: Access::Perm(P::LogContacts),
    },
    RouteSpec {
        method: "GET",
        path: "/ti/book",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/ar/services",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/bn/services/permit_renewal",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/ti/services/family_reunification/leaflet.pdf",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/ar/guide",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/bn/guide?need=permit&permit=expiring&passport=yes&minor=no",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/bn/guide/checklist.pdf?need=permit&permit=expiring&passport=yes&minor=no",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/bodies",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/bodies/{body}",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/bodies/{body}/meetings",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/meetings/{meeting}",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "PUT",
        path: "/api/v1/meetings/{meeting}/attendance",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/meetings/{meeting}/minutes",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/meetings/{meeting}/action-items",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/action-items",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/courses",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "PUT",
        path: "/api/v1/course-sessions/{session}/attendance",
        access: Access::Perm(P::ManageTrainings),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/helpdesk/questions",
        access: Access::Perm(P::AskHelpdesk),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/helpdesk/questions",
        access: Access::Perm(P::AskHelpdesk),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/helpdesk/questions/{question}/answer",
        access: Access::Perm(P::AnswerHelpdesk),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/kb",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/helpdesk",
        access: Access::Perm(P::AskHelpdesk),
    },
    RouteSpec {
        method: "POST",
        path: "/helpdesk",
        access: Access::Perm(P::AskHelpdesk),
    },
    RouteSpec {
        method: "GET",
        path: "/kb",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "GET",
        path: "/trainings",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/trainings",
        access: Access::Perm(P::ManageTrainings),
    },
    RouteSpec {
        method: "GET",
        path: "/verify",
        access: Access::Public,
    },
    RouteSpec {
        method: "GET",
        path: "/safe-space",
        access: Access::Perm(P::ScreenVulnerability),
    },
    RouteSpec {
        method: "POST",
        path: "/safe-space/acknowledge",
        access: Access::Perm(P::ScreenVulnerability),
    },
    RouteSpec {
        method: "GET",
        path: "/safe-space/protocol",
        access: Access::Perm(P::ManageSafeSpace),
    },
    RouteSpec {
        method: "POST",
        path: "/safe-space/protocol",
        access: Access::Perm(P::ManageSafeSpace),
    },
    RouteSpec {
        method: "GET",
        path: "/network",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/network/bodies",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "GET",
        path: "/network/bodies/{body}",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/network/bodies/{body}/members",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "POST",
        path: "/network/bodies/{body}/meetings",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "GET",
        path: "/network/meetings/{meeting}",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/network/meetings/{meeting}",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "POST",
        path: "/network/meetings/{meeting}/documents",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "GET",
        path: "/network/meetings/{meeting}/minutes.pdf",
        access: Access::SignedIn,
    },
    RouteSpec {
        method: "POST",
        path: "/network/actions/{action}/done",
        access: Access::Perm(P::ManageNetwork),
    },
    RouteSpec {
        method: "GET",
        path: "/content",
        access: Access::Perm(P::TranslateContent),
    },
    RouteSpec {
        method: "GET",
        path: "/content/permit_renewal/fr",
        access: Access::Perm(P::TranslateContent),
    },
    RouteSpec {
        method: "POST",
        path: "/content/permit_renewal/fr",
        access: Access::Perm(P::TranslateContent),
    },
    RouteSpec {
        method: "POST",
        path: "/front-office",
        access: Access::Perm(P::LogContacts),
    },
    RouteSpec {
        method: "GET",
        path: "/inspections/new",
        access: Access::Perm(P::Inspect),
    },
    RouteSpec {
        method: "POST",
        path: "/inspections",
        access: Access::Perm(P::Inspect),
    },
    RouteSpec {
        method: "GET",
        path: "/monitoring/planning",
        access: Access::Perm(P::Inspect),
    },
    RouteSpec {
        method: "GET",
        path: "/monitoring/figures",
        access: Access::Perm(P::ViewMonitoringFigures),
    },
    RouteSpec {
        method: "GET",
        path: "/reports",
        access: Access::Perm(P::ViewReports),
    },
    RouteSpec {
        method: "GET",
        path: "/reports/export.xlsx",
        access: Access::Perm(P::ViewReports),
    },
    RouteSpec {
        method: "GET",
        path: "/reports/export.csv",
        access: Access::Perm(P::ViewReports),
    },
    RouteSpec {
        method: "GET",
        path: "/reports/annual.pdf",
        access: Access::Perm(P::ViewReports),
    },
    RouteSpec {
        method: "GET",
        path: "/reports/annual.xlsx",
        access: Access::Perm(P::ViewReports),
    },
    RouteSpec {
        method: "POST",
        path: "/reports/refresh",
        access: Access::Programme(P::ViewReports),
    },
    RouteSpec {
        method: "GET",
        path: "/centres/map",
        access: Access::Perm(P::ViewCentres),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/inspections",
        access: Access::Perm(P::ViewCentres),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/actions",
        access: Access::Perm(P::ViewCentres),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/inspections",
        access: Access::Perm(P::Inspect),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/register",
        access: Access::Perm(P::ViewMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/counts",
        access: Access::Perm(P::ViewMinorCounts),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/reports",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/return",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/majority",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/{minor}/placement",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/transfers",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/transfers",
        access: Access::Perm(P::AnswerTransfers),
    },
    RouteSpec {
        method: "POST",
        path: "/transfers/no-such-transfer/accept",
        access: Access::Perm(P::AnswerTransfers),
    },
    RouteSpec {
        method: "POST",
        path: "/transfers/no-such-transfer/refuse",
        access: Access::Perm(P::AnswerTransfers),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/guardian",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/siblings",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/interviews",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/age",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/health",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/{minor}/social-file.pdf",
        access: Access::Minor(P::ViewMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/minors",
        access: Access::Perm(P::ViewMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/minors",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/minors/register",
        access: Access::Perm(P::ViewMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/minors/{minor}",
        access: Access::Minor(P::ViewMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/minors/{minor}/notices",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/minors/{minor}/movements",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/api/v1/minors/{minor}/placement",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/minors/{minor}/transfers",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/transfers/no-such-transfer/accept",
        access: Access::Perm(P::AnswerTransfers),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/transfers/no-such-transfer/refuse",
        access: Access::Perm(P::AnswerTransfers),
    },
    RouteSpec {
        method: "POST",
        path: "/api/v1/transfers/no-such-transfer/complete",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/new",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors",
        access: Access::Perm(P::EditMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/{minor}",
        access: Access::Minor(P::ViewMinors),
    },
    RouteSpec {
        method: "GET",
        path: "/minors/{minor}/notices/prosecutor.pdf",
        access: Access::Minor(P::ViewMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/notifications",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/identification",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/movements",
        access: Access::Minor(P::EditMinors),
    },
    RouteSpec {
        method: "POST",
        path: "/minors/{minor}/end",
        access: Access::Minor(P::EditMinors),
    },
];

/// Largest upload body: the document itself plus room for the multipart framing and the
/// other fields of the form.
pub fn upload_limit(state: &AppState) -> usize {
    state.db.settings.max_document_bytes + 64 * 1024
}

pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::home))
        .route("/logout", post(login::logout))
        .route(
            "/login/totp",
            get(login::totp_form).post(login::totp_submit),
        )
        .route("/profile", get(profile::show))
        .route("/session/draft-key", get(crate::offline::draft_key))
        .route("/profile/language", post(profile::set_language))
        .route("/profile/digest", post(profile::set_digest))
        .route(
            "/profile/password",
            get(profile::password_form).post(profile::password_submit),
        )
        .route("/profile/totp", get(profile::totp_page))
        .route("/profile/totp/start", post(profile::totp_start))
        .route("/profile/totp/confirm", post(profile::totp_confirm))
        .route("/profile/totp/disable", post(profile::totp_disable))
        .route(
            "/profile/tokens",
            get(profile::tokens).post(profile::token_create),
        )
        .route("/profile/tokens/{id}/revoke", post(profile::token_revoke))
        .route("/admin/organisations", get(orgs::list).post(orgs::create))
        .route("/admin/organisations/new", get(orgs::new_form))
        .route(
            "/admin/organisations/{id}",
            get(orgs::show).post(orgs::update),
        )
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/new", get(users::new_form))
        .route("/admin/users/{id}", get(users::show).post(users::update))
        .route("/admin/users/{id}/disable", post(users::disable))
        .route("/admin/users/{id}/enable", post(users::enable))
        .route(
            "/admin/users/{id}/reset-password",
            post(users::reset_password),
        )
        .route("/admin/audit", get(audit::list))
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new_form))
        .route("/people/duplicates", get(duplicates::show))
        .route("/people/duplicates/{id}/merge", post(duplicates::merge))
        .route("/people/duplicates/{id}/ask", post(duplicates::ask))
        .route("/people/duplicates/{id}/answer", post(duplicates::answer))
        .route(
            "/people/duplicates/{id}/distinct",
            post(duplicates::distinct),
        )
        .route("/people/{id}/access-requests", post(access::request))
        .route("/access-requests", get(access::list))
        .route("/access-requests/{id}", get(access::show))
        .route("/access-requests/{id}/grant", post(access::grant))
        .route("/access-requests/{id}/refuse", post(access::refuse))
        .route("/access-requests/{id}/withdraw", post(access::withdraw))
        .route("/access-requests/{id}/revoke", post(access::revoke))
        .route("/purposes", post(access::state_purpose))
        .route("/inbox", get(inbox::show))
        .route("/inbox/{id}/done", post(inbox::mark_done))
        .route("/appointments/{id}", get(partner::show))
        .route("/appointments/{id}/answer", post(partner::answer))
        .route("/people/check", post(people::check))
        .route("/people/{id}", get(people::show).post(people::update))
        .route("/people/{id}/edit", get(people::edit_form))
        .route("/people/{id}/consents", post(people::add_consent))
        .route(
            "/people/{id}/vulnerabilities",
            post(people::add_vulnerability),
        )
        .route("/minors", get(minors::dashboard).post(minors::intake))
        .route("/minors/new", get(minors::new_form))
        .route(
            "/minors/guardians",
            get(minor_care::guardians).post(minor_care::add_guardian),
        )
        .route("/minors/sim", get(minor_care::sim))
        .route("/minors/sim/export", post(minor_care::sim_export))
        .route("/minors/sim/{export}/sent", post(minor_care::sim_sent))
        .route("/minors/register", get(minor_events::register))
        .route("/minors/counts", get(minor_events::counts))
        .route("/minors/{id}/reports", post(minor_events::reports))
        .route("/minors/{id}/return", post(minor_events::back))
        .route("/minors/{id}/majority", post(minor_events::majority))
        .route("/minors/{id}/placement", get(placement::show))
        .route("/minors/{id}/transfers", post(placement::request))
        .route("/transfers", get(placement::incoming))
        .route("/transfers/{id}/accept", post(placement::accept))
        .route("/transfers/{id}/refuse", post(placement::refuse))
        .route("/transfers/{id}/complete", post(placement::complete))
        .route("/minors/{id}/guardian", post(minor_care::appoint))
        .route("/minors/{id}/siblings", post(minor_care::siblings))
        .route("/minors/{id}/interviews", post(minor_care::interview))
        .route("/minors/{id}/age", post(minor_care::age))
        .route("/minors/{id}/health", post(minor_care::health))
        .route(
            "/minors/{id}/social-file.pdf",
            get(minor_care::social_file_pdf),
        )
        .route("/minors/{id}", get(minors::show))
        .route("/minors/{id}/notices/{file}", get(minors::notice_pdf))
        .route("/minors/{id}/notifications", post(minors::notified))
        .route("/minors/{id}/identification", post(minors::identified))
        .route("/minors/{id}/movements", post(minors::movement))
        .route("/minors/{id}/end", post(minors::end))
        .route("/centres", get(centres::list).post(centres::create))
        .route("/centres/new", get(centres::new_form))
        .route(
            "/centres/presences/import",
            get(centres::import_form)
                .post(centres::import)
                .layer(DefaultBodyLimit::max(upload_limit(&state))),
        )
        .route("/centres/{id}", get(centres::show).post(centres::update))
        .route("/centres/{id}/edit", get(centres::edit_form))
        .route("/centres/{id}/presences", post(centres::record))
        .route("/centres/{id}/presences/new", get(centres::presences_form))
        .route("/checklists/{schema}", get(centres::checklist))
        .route(
            "/front-office",
            get(front_office::show).post(front_office::log),
        )
        .route("/agenda", get(booking::agenda))
        .route("/content", get(content::overview))
        .route("/network", get(network::list))
        .route("/safe-space", get(safe_space::show))
        .route("/safe-space/acknowledge", post(safe_space::acknowledge))
        .route(
            "/safe-space/protocol",
            get(safe_space::protocol).post(safe_space::publish),
        )
        .route(
            "/people/{id}/screening",
            get(safe_space::form).post(safe_space::submit),
        )
        .route("/trainings", get(trainings::list).post(trainings::create))
        .route("/helpdesk", get(helpdesk::list).post(helpdesk::ask))
        .route("/helpdesk/{id}", get(helpdesk::show))
        .route("/helpdesk/{id}/answer", post(helpdesk::answer))
        .route("/helpdesk/{id}/kb", post(helpdesk::to_kb))
        .route("/kb", get(helpdesk::kb))
        .route("/kb/{id}", get(helpdesk::kb_entry))
        .route("/trainings/{id}", get(trainings::show))
        .route("/trainings/{id}/sessions", post(trainings::add_session))
        .route("/trainings/{id}/enrolments", post(trainings::enrol))
        .route("/trainings/{id}/survey", post(trainings::survey))
        .route(
            "/trainings/{id}/certificate.pdf",
            get(trainings::certificate),
        )
        .route(
            "/trainings/sessions/{id}/attendance",
            post(trainings::attendance),
        )
        .route("/network/bodies", post(network::create_body))
        .route("/network/bodies/{id}", get(network::show_body))
        .route("/network/bodies/{id}/members", post(network::add_member))
        .route(
            "/network/bodies/{id}/meetings",
            post(network::create_meeting),
        )
        .route(
            "/network/meetings/{id}",
            get(network::show_meeting).post(network::meeting_step),
        )
        .route(
            "/network/meetings/{id}/minutes.pdf",
            get(network::minutes_pdf),
        )
        .route(
            "/network/meetings/{id}/documents",
            post(network::upload_document),
        )
        .route(
            "/network/meetings/{id}/documents/{doc}",
            get(network::download_document),
        )
        .route("/network/actions/{id}/done", post(network::complete_action))
        .route(
            "/content/{code}/{lang}",
            get(content::edit).post(content::save),
        )
        .route("/centres/map", get(monitoring::map))
        .route("/centres/{id}/events", post(monitoring::log_event))
        .route(
            "/centres/{id}/consultations",
            post(monitoring::consultation),
        )
        .route("/monitoring/planning", get(monitoring::planning))
        .route("/monitoring/figures", get(monitoring::figures))
        .route("/reports", get(reports::dashboard))
        .route("/reports/export.xlsx", get(reports::export_xlsx))
        .route("/reports/export.csv", get(reports::export_csv))
        .route("/reports/annual.pdf", get(reports::annual_pdf))
        .route("/reports/annual.xlsx", get(reports::annual_xlsx))
        .route("/reports/refresh", post(reports::refresh))
        .route(
            "/inspections",
            get(inspections::list).post(inspections::create),
        )
        .route("/inspections/new", get(inspections::new_form))
        .route("/inspections/{id}", get(inspections::show))
        .route("/inspections/{id}/answers", post(inspections::save_all))
        .route("/inspections/{id}/answer", post(inspections::save_one))
        .route("/inspections/{id}/findings", post(inspections::add_finding))
        .route(
            "/inspections/{id}/findings/{finding}/remove",
            post(inspections::remove_finding),
        )
        .route(
            "/inspections/{id}/evidence",
            post(inspections::add_evidence).layer(DefaultBodyLimit::max(upload_limit(&state))),
        )
        .route("/inspections/{id}/files/{file}", get(inspections::file))
        .route("/inspections/{id}/close", post(inspections::close))
        .route("/inspections/{id}/cancel", post(inspections::cancel))
        .route("/inspections/{id}/report.pdf", get(inspections::report_pdf))
        .route("/actions", get(actions::list))
        .route("/actions/{id}", get(actions::show))
        .route(
            "/actions/{id}/answer",
            post(actions::answer).layer(DefaultBodyLimit::max(upload_limit(&state))),
        )
        .route("/actions/{id}/verify", post(actions::verify))
        .route("/actions/{id}/assign", post(actions::assign))
        .route("/actions/{id}/reopen", post(actions::reopen))
        .route("/actions/{id}/penalty", post(actions::penalty))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/new", get(cases::new_form))
        .route("/cases/citizenship", get(cases::citizenship))
        .route("/cases/citizenship/export", post(cases::citizenship_export))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/status", post(cases::update_status))
        .route("/cases/{id}/tasks", post(cases::add_task))
        .route("/cases/{id}/tasks/{task}/done", post(cases::complete_task))
        .route("/cases/{id}/referrals", post(cases::refer))
        .route("/referrals/{id}/accept", post(cases::accept))
        .route("/referrals/{id}/reject", post(cases::reject))
        .route(
            "/referrals/{id}/complete",
            post(case_records::complete_referral),
        )
        .route("/cases/{id}/notes", post(case_records::add_note))
        .route("/cases/{id}/notes/new", get(case_records::note_form))
        .route(
            "/cases/{id}/appointments",
            post(case_records::add_appointment),
        )
        .route(
            "/cases/{id}/appointments/{appointment}/status",
            post(case_records::appointment_status),
        )
        .route(
            "/cases/{id}/appointments/{appointment}/proposal",
            post(case_records::answer_proposal),
        )
        .route(
            "/cases/{id}/documents",
            post(case_records::upload_document).layer(DefaultBodyLimit::max(upload_limit(&state))),
        )
        .route(
            "/cases/{id}/documents/{doc}",
            get(case_records::download_document),
        )
        .route(
            "/cases/{id}/documents/{doc}/remove",
            post(case_records::remove_document),
        )
        .route("/people/{id}/export.pdf", get(person_export::export_pdf))
        .route(
            "/admin/catalogue",
            get(catalogue::list).post(catalogue::create),
        )
        .route("/admin/catalogue/new", get(catalogue::new_form))
        .route(
            "/admin/catalogue/{code}",
            get(catalogue::edit_form).post(catalogue::update),
        )
        .route(
            "/admin/legal-rules",
            get(catalogue::rules).post(catalogue::add_rule),
        )
        .route("/people/{id}/export", get(people::export))
        .route("/people/{id}/pseudonymise", post(people::pseudonymise))
        .route("/people/{id}/merge", post(people::merge))
        .route("/people/{id}/merges/{merge}/undo", post(people::undo_merge))
        .route_layer(from_fn_with_state(state.clone(), require_login));

    let api = Router::new()
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/inbox", get(inbox::api))
        .route(
            "/api/v1/persons/{id}/access-requests",
            post(api_work::request_access),
        )
        .route("/api/v1/access-requests", get(api_work::access_requests))
        .route("/api/v1/access-requests/{id}/grant", post(api_work::grant))
        .route(
            "/api/v1/access-requests/{id}/refuse",
            post(api_work::refuse),
        )
        .route(
            "/api/v1/organisations",
            get(api::orgs).post(api::create_org),
        )
        .route("/api/v1/organisations/{id}", get(api::org))
        .route("/api/v1/users", get(api::users))
        .route("/api/v1/users/{id}", get(api::user))
        .route(
            "/api/v1/persons",
            get(api::persons).post(api::create_person),
        )
        .route(
            "/api/v1/persons/duplicate-check",
            post(api::duplicate_check),
        )
        .route(
            "/api/v1/persons/{id}",
            get(api::person).put(api::update_person),
        )
        .route("/api/v1/cases", post(api_cases::create_case))
        .route("/api/v1/cases/{id}", get(api_cases::case))
        .route("/api/v1/cases/{id}/tasks", post(api_cases::add_task))
        .route("/api/v1/cases/{id}/referrals", post(api_cases::refer))
        .route(
            "/api/v1/referrals/{id}/accept",
            post(api_cases::accept_referral),
        )
        .route(
            "/api/v1/referrals/{id}/reject",
            post(api_cases::reject_referral),
        )
        .route(
            "/api/v1/referrals/{id}/complete",
            post(api_cases::complete_referral),
        )
        .route("/api/v1/cases/{id}/notes", post(api_cases::add_note))
        .route(
            "/api/v1/cases/{id}/appointments",
            post(api_cases::add_appointment),
        )
        .route(
            "/api/v1/cases/{id}/documents",
            post(api_cases::upload_document).layer(DefaultBodyLimit::max(upload_limit(&state))),
        )
        .route(
            "/api/v1/cases/{id}/documents/{doc}",
            get(api_cases::download_document),
        )
        .route(
            "/api/v1/cases/{id}/tasks/{task}/done",
            post(api_cases::complete_task),
        )
        .route(
            "/api/v1/minors",
            get(api_minors::minors).post(api_minors::intake),
        )
        .route("/api/v1/centres", get(api_centres::centres))
        .route(
            "/api/v1/centres/presences/import",
            post(api_centres::import).layer(DefaultBodyLimit::max(upload_limit(&state))),
        )
        .route("/api/v1/centres/{id}", get(api_centres::centre))
        .route(
            "/api/v1/inspections",
            get(api_monitoring::inspections).post(api_monitoring::plan),
        )
        .route("/api/v1/inspections/{id}", get(api_monitoring::inspection))
        .route(
            "/api/v1/inspections/{id}/findings",
            post(api_monitoring::add_finding),
        )
        .route(
            "/api/v1/inspections/{id}/close",
            post(api_monitoring::close),
        )
        .route(
            "/api/v1/inspections/{id}/answers",
            post(api_monitoring::answer),
        )
        .route("/api/v1/actions", get(api_monitoring::actions))
        .route("/api/v1/actions/{id}", get(api_monitoring::action))
        .route(
            "/api/v1/actions/{id}/answer",
            post(api_monitoring::answer_action),
        )
        .route(
            "/api/v1/actions/{id}/verify",
            post(api_monitoring::verify_action),
        )
        .route(
            "/api/v1/actions/{id}/reopen",
            post(api_monitoring::reopen_action),
        )
        .route(
            "/api/v1/centres/{id}/presences",
            post(api_centres::add_presence),
        )
        .route("/api/v1/minors/register", get(api_minors::register))
        .route("/api/v1/minors/{id}", get(api_minors::minor))
        .route("/api/v1/minors/{id}/notices", post(api_minors::notice))
        .route("/api/v1/minors/{id}/movements", post(api_minors::movement))
        .route("/api/v1/minors/{id}/placement", get(api_minors::placement))
        .route(
            "/api/v1/minors/{id}/transfers",
            post(api_minors::request_transfer),
        )
        .route(
            "/api/v1/transfers/{id}/accept",
            post(api_minors::accept_transfer),
        )
        .route(
            "/api/v1/transfers/{id}/refuse",
            post(api_minors::refuse_transfer),
        )
        .route(
            "/api/v1/transfers/{id}/complete",
            post(api_minors::complete_transfer),
        )
        .route("/api/v1/bodies", get(api_network::bodies))
        .route("/api/v1/bodies/{id}", get(api_network::body))
        .route(
            "/api/v1/bodies/{id}/meetings",
            post(api_network::create_meeting),
        )
        .route("/api/v1/meetings/{id}", get(api_network::meeting))
        .route(
            "/api/v1/meetings/{id}/attendance",
            axum::routing::put(api_network::attendance),
        )
        .route("/api/v1/meetings/{id}/minutes", post(api_network::minutes))
        .route(
            "/api/v1/meetings/{id}/action-items",
            post(api_network::add_action_item),
        )
        .route("/api/v1/action-items", get(api_network::my_action_items))
        .route(
            "/api/v1/action-items/{id}/done",
            post(api_network::action_item_done),
        )
        .route("/api/v1/courses", get(api_network::courses))
        .route("/api/v1/courses/{id}", get(api_network::course))
        .route(
            "/api/v1/course-sessions/{id}/attendance",
            axum::routing::put(api_network::session_attendance),
        )
        .route(
            "/api/v1/helpdesk/questions",
            get(api_network::questions).post(api_network::ask),
        )
        .route(
            "/api/v1/helpdesk/questions/{id}/answer",
            post(api_network::answer),
        )
        .route("/api/v1/kb", get(api_network::kb))
        .route_layer(from_fn_with_state(state.clone(), require_token));

    let public = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(crate::metrics::endpoint))
        .route("/login", get(login::login_form).post(login::login_submit))
        .route("/language/{code}", get(login::set_language))
        .route("/api/openapi.json", get(api::openapi))
        .route("/assets/{*path}", get(crate::assets::serve))
        .route("/sw.js", get(crate::offline::service_worker))
        .route("/manifest.webmanifest", get(crate::offline::manifest))
        .route("/verify", get(trainings::verify))
        .route("/{lang}/", get(public::home))
        .route("/{lang}/info-points", get(public::info_points))
        .route("/{lang}/open-data", get(open_data::page))
        .route("/open-data/{file}", get(open_data::csv))
        .route("/{lang}/services", get(services::list))
        .route("/{lang}/services/{code}", get(services::show))
        .route(
            "/{lang}/services/{code}/leaflet.pdf",
            get(services::leaflet),
        )
        .route("/{lang}/guide", get(guide::show))
        .route("/{lang}/guide/checklist.pdf", get(guide::pdf))
        .route("/{lang}/book", get(booking::form).post(booking::book))
        .route(
            "/{lang}/booking",
            get(booking::find_form).post(booking::manage),
        )
        .route("/{lang}/booking/{code}", get(booking::show));

    let request_id = HeaderName::from_static("x-request-id");
    // Router::layer wraps outward: the last layer added is the first to see a request.
    Router::new()
        .merge(public)
        .merge(pages)
        .merge(api)
        .fallback(|| async { StatusCode::NOT_FOUND.into_response() })
        .layer(from_fn_with_state(state.clone(), check_csrf))
        .layer(DefaultBodyLimit::max(state.cfg.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(from_fn_with_state(
            state.clone(),
            crate::idempotency::idempotency,
        ))
        .layer(from_fn(render_errors))
        .layer(from_fn_with_state(state.clone(), session_layer))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                tracing::error!("a request handler panicked");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            },
        ))
        .layer(from_fn_with_state(state.clone(), security_headers))
        // Every text answer compressed on the way out (brotli, else gzip) at a level meant
        // for live pages; the embedded assets come compressed already (build.rs), and fonts,
        // PDFs and archives are compressed formats.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("font/"))
                        .and(NotForContentType::const_new("application/pdf"))
                        .and(NotForContentType::const_new("application/zip"))
                        .and(NotForContentType::const_new(
                            "application/vnd.openxmlformats",
                        )),
                ),
        )
        .layer(from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
