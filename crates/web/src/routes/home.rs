//! The home page: what waits for the signed-in person (the first items of their inbox and
//! their action items), and a card for each area of their work with its count.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::account::Role;
use domain::policy::Permission;

use crate::auth::Auth;
use crate::error::AppResult;
use crate::page::{PageCtx, render};
use crate::routes::inbox::Line;
use crate::state::AppState;

/// One area of work: where it is, what it is for, and how much waits there.
pub struct WorkArea {
    pub title: String,
    pub text: String,
    pub href: &'static str,
    /// (label, count) of what waits in it, if counted.
    pub count: Option<(String, i64)>,
}

pub struct RoleView {
    pub role: String,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub page: PageCtx,
    pub full_name: String,
    pub org_name: String,
    pub roles: Vec<RoleView>,
    pub areas: Vec<WorkArea>,
    pub counts: Option<store::account::Counts>,
    /// The person's open action items from the network's meetings, nearest due first.
    pub actions: Vec<store::governance::ActionItem>,
    /// The first items of the inbox, and how many there are.
    pub inbox: Vec<Line>,
    pub inbox_total: usize,
    pub today: chrono::NaiveDate,
    pub done: bool,
}

impl HomePage {
    pub fn item_state(&self, a: &store::governance::ActionItem) -> &'static str {
        a.state(self.today).as_str()
    }
    pub fn item_state_label(&self, a: &store::governance::ActionItem) -> String {
        self.page
            .t(&format!("deadline-{}", a.state(self.today).as_str()))
    }
}

#[derive(serde::Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    done: Option<String>,
}

/// How many inbox items the home page lists before "all of them".
const FIRST_ITEMS: usize = 5;

/// The work areas of each role, from the journeys of the people who use SPRInt: (message
/// id, page, the count shown on the card). Every area links to a page that exists (a test
/// walks them).
pub fn areas_for(role: Role) -> &'static [(&'static str, &'static str, Option<&'static str>)] {
    match role {
        Role::Admin => &[
            ("area-users", "/admin/users", None),
            ("area-organisations", "/admin/organisations", None),
            ("area-catalogue", "/admin/catalogue", None),
            ("area-audit", "/admin/audit", None),
        ],
        Role::PrefectureOfficer => &[
            ("area-referrals", "/cases", Some("referrals")),
            ("area-deadlines", "/cases", Some("overdue")),
            (
                "area-citizenship",
                "/cases/citizenship",
                Some("citizenship"),
            ),
            ("area-helpdesk-answers", "/helpdesk", Some("questions_open")),
            ("area-network", "/network", Some("action_items")),
        ],
        Role::CaseWorker => &[
            ("area-cases", "/cases", Some("open_cases")),
            ("area-referrals", "/cases", Some("referrals")),
            ("area-access", "/access-requests", Some("access_requests")),
            ("area-duplicates", "/people/duplicates", Some("duplicates")),
            ("area-people", "/people", None),
        ],
        Role::InfoPointOperator => &[
            ("area-contacts", "/front-office", Some("contacts_today")),
            ("area-bookings", "/agenda", Some("bookings_today")),
            ("area-people", "/people", None),
            ("area-access", "/access-requests", Some("access_requests")),
            ("area-cases", "/cases", Some("open_cases")),
        ],
        Role::Mediator => &[
            ("area-translations", "/content", Some("translations_review")),
            ("area-contacts", "/front-office", Some("contacts_today")),
        ],
        Role::MinorsOfficer => &[
            ("area-minors", "/minors", Some("minors_present")),
            ("area-transfers-out", "/minors", Some("transfers_waiting")),
            ("area-minors-register", "/minors/register", None),
            ("area-people", "/people", None),
        ],
        Role::Inspector => &[
            ("area-inspection-plan", "/monitoring/planning", None),
            ("area-inspections", "/inspections", Some("inspections_open")),
            (
                "area-actions-to-verify",
                "/actions",
                Some("actions_to_verify"),
            ),
        ],
        Role::CentreManager => &[
            ("area-corrective-actions", "/actions", Some("actions_open")),
            (
                "area-transfers-in",
                "/transfers",
                Some("transfers_to_answer"),
            ),
            ("area-my-centre", "/centres", None),
            ("area-safe-space", "/safe-space", None),
        ],
        Role::Trainer => &[
            ("area-trainings", "/trainings", Some("courses")),
            ("area-helpdesk", "/kb", None),
        ],
        Role::Analyst => &[
            ("area-indicators", "/reports", None),
            ("area-open-data", "/it/open-data", None),
            ("area-monitoring-figures", "/monitoring/figures", None),
        ],
    }
}

pub async fn home(
    State(st): State<AppState>,
    auth: Auth,
    axum::extract::Query(q): axum::extract::Query<HomeQuery>,
) -> AppResult<Response> {
    let actions = store::governance::my_actions(&st.db, &auth.ctx).await?;
    let counts_by_area = store::home::counts(&st.db, &auth.ctx).await?;
    let inbox = store::inbox::inbox(&st.db, &auth.ctx, false).await?;
    let tr = auth.info.tr;
    let mut areas: Vec<WorkArea> = vec![];
    for g in &auth.user.grants {
        for (id, href, count) in areas_for(g.role) {
            if areas.iter().any(|a| a.title == tr.t(id)) {
                continue;
            }
            areas.push(WorkArea {
                title: tr.t(id),
                text: tr.t(&format!("{id}-text")),
                href,
                count: count.and_then(|c| {
                    counts_by_area
                        .get(c)
                        .map(|n| (tr.t(&format!("count-{c}")), *n))
                }),
            });
        }
    }
    let counts = if auth.ctx.actor.can(Permission::ViewUsers) {
        Some(store::account::counts(&st.db, &auth.ctx).await?)
    } else {
        None
    };
    let roles = auth
        .user
        .grants
        .iter()
        .map(|g| RoleView {
            role: tr.t(&format!("role-{}", g.role)),
            scope: tr.t(&format!("scope-{}", g.scope)),
        })
        .collect();
    let inbox_total = inbox.open.len();
    let first: Vec<_> = inbox.open.into_iter().take(FIRST_ITEMS).collect();
    Ok(render(&HomePage {
        page: auth.info.page(&tr.t("home-title")),
        full_name: auth.user.full_name.clone(),
        org_name: auth.user.org_name.clone(),
        roles,
        areas,
        counts,
        actions,
        inbox: crate::routes::inbox::lines(&tr, first),
        inbox_total,
        today: domain::clock::today(),
        done: q.done.as_deref() == Some("action"),
    }))
}
