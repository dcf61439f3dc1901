//! What every page needs to render: language, direction, the signed-in user, the CSRF
//! token, navigation and the request id. Built once per request by the session layer.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::account::UiLang;
use domain::policy::{Actor, Permission};

use crate::error::Rendered;
use crate::i18n::Tr;

/// The signed-in user as shown in the header.
#[derive(Clone, Debug)]
pub struct Badge {
    pub id: String,
    pub full_name: String,
    pub username: String,
    pub org_name: String,
    pub roles: Vec<String>,
    pub actor: Actor,
    /// Only the TOTP step or a forced password change is open: show no navigation.
    pub restricted: bool,
    /// How many items wait in the user's inbox (shown in the header of every page).
    pub inbox: i64,
}

/// Per-request facts, stored in the request extensions.
#[derive(Clone, Debug)]
pub struct ReqInfo {
    pub request_id: String,
    pub tr: Tr,
    pub is_api: bool,
    pub path: String,
    pub csrf: String,
    pub user: Option<Badge>,
    pub demo: bool,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// The shared context of every page template.
pub struct PageCtx {
    pub title: String,
    pub tr: Tr,
    pub csrf: String,
    pub user: Option<Badge>,
    pub nav: Vec<NavItem>,
    pub request_id: String,
    pub path: String,
    pub demo: bool,
    pub langs: Vec<LangLink>,
}

impl PageCtx {
    /// A fresh idempotency key for a form that creates something: a repeated submission
    /// (reload, resend, the offline queue) is applied once.
    pub fn new_idem(&self) -> String {
        store::random_token(16)
    }
    /// Whose drafts and offline queue the page's script may open (a pseudonymous tag).
    pub fn user_tag(&self) -> String {
        self.user
            .as_ref()
            .map(|u| crate::offline::user_tag(&u.id))
            .unwrap_or_default()
    }
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }
    pub fn t1(&self, id: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        self.tr.t1(id, name, value)
    }
    /// Today in Rome (`YYYY-MM-DD`), for date fields' defaults and limits.
    pub fn today(&self) -> String {
        domain::clock::today().to_string()
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.as_str()
    }
    pub fn dir(&self) -> &'static str {
        self.tr.dir()
    }
    pub fn can(&self, perm: &str) -> bool {
        let p = match perm {
            "users" => Permission::ManageUsers,
            "orgs" => Permission::ManageOrganisations,
            "audit" => Permission::ViewAudit,
            "contacts" => Permission::LogContacts,
            "helpdesk" => Permission::AskHelpdesk,
            "screen" => Permission::ScreenVulnerability,
            _ => return false,
        };
        self.user.as_ref().is_some_and(|u| u.actor.can(p))
    }
    /// The current path, safe to pass back as `next=`.
    pub fn next(&self) -> &str {
        &self.path
    }
}

impl ReqInfo {
    pub fn page(&self, title: &str) -> PageCtx {
        let mut nav = vec![];
        if let Some(u) = self.user.as_ref().filter(|u| !u.restricted) {
            let mut add = |href: &'static str, id: &str| {
                let active = if href == "/" {
                    self.path == "/"
                } else {
                    self.path.starts_with(href)
                };
                nav.push(NavItem {
                    href,
                    label: self.tr.t(id),
                    active,
                });
            };
            add("/", "nav-home");
            if u.actor.can(Permission::SearchPeople) {
                add("/people", "nav-people");
            }
            if u.actor.can(Permission::LogContacts) {
                add("/front-office", "nav-front-office");
            }
            if u.actor.can(Permission::ViewCases) {
                add("/cases", "nav-cases");
            }
            if u.actor.can(Permission::ViewMinors) {
                add("/minors", "nav-minors");
            } else if u.actor.can(Permission::ViewMinorCounts) {
                add("/minors/counts", "nav-minors");
            }
            if u.actor.can(Permission::ViewCentres) {
                add("/centres", "nav-centres");
            }
            if u.actor.can(Permission::Inspect) {
                add("/inspections", "nav-inspections");
            }
            if u.actor.can(Permission::Inspect) || u.actor.can(Permission::AnswerFindings) {
                add("/actions", "nav-actions");
            }
            if u.actor.can(Permission::ViewMonitoringFigures) && !u.actor.can(Permission::Inspect) {
                add("/monitoring/figures", "nav-monitoring");
            }
            if u.actor.can(Permission::AnswerTransfers) {
                add("/transfers", "nav-transfers");
            }
            if u.actor.can(Permission::ViewReports) {
                add("/reports", "nav-reports");
            }
            if u.actor.can(Permission::ViewUsers) {
                add("/admin/users", "nav-users");
            }
            if u.actor.can(Permission::ViewOrganisations) {
                add("/admin/organisations", "nav-organisations");
            }
            add("/network", "nav-network");
            add("/trainings", "nav-trainings");
            if u.actor.can(Permission::ScreenVulnerability) {
                add("/safe-space", "nav-safe-space");
            } else if u.actor.can(Permission::ManageSafeSpace) {
                add("/safe-space/protocol", "nav-safe-space");
            }
            if u.actor.can(Permission::AskHelpdesk) || u.actor.can(Permission::AnswerHelpdesk) {
                add("/helpdesk", "nav-helpdesk");
            }
            if u.actor.can(Permission::TranslateContent) {
                add("/content", "nav-content");
            }
            if u.actor.can(Permission::ManageCatalogue) {
                add("/admin/catalogue", "nav-catalogue");
            }
            if u.actor.can(Permission::ViewAudit) {
                add("/admin/audit", "nav-audit");
            }
            add("/profile", "nav-profile");
        }
        let langs = UiLang::ALL
            .iter()
            .map(|l| LangLink {
                code: l.as_str(),
                name: match l {
                    UiLang::It => "Italiano",
                    UiLang::En => "English",
                    UiLang::Ar => "العربية",
                },
                current: *l == self.tr.lang,
            })
            .collect();
        PageCtx {
            title: title.to_string(),
            tr: self.tr,
            csrf: self.csrf.clone(),
            user: self.user.clone(),
            nav,
            request_id: self.request_id.clone(),
            path: self.path.clone(),
            demo: self.demo,
            langs,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: PageCtx,
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<String>,
}

/// Renders a template as an HTML page (status 200), marked as rendered.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => {
            let mut r = (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                )],
                body,
            )
                .into_response();
            r.extensions_mut().insert(Rendered);
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            // Deliberately not marked as rendered: the error layer writes the 500 page.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Renders a page with a status other than 200 (forms with errors: 422, conflicts: 409).
pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    let mut r = render(t);
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// A redirect after a successful POST.
pub fn see_other(to: &str) -> Response {
    let mut r = axum::response::Redirect::to(to).into_response();
    r.extensions_mut().insert(Rendered);
    r
}

/// Only local paths are accepted as redirect targets, so `next=` cannot send people away.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_stay_on_this_site() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
