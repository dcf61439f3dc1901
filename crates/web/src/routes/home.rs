//! The home page: a dashboard fitting the roles of the signed-in person.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::account::Role;
use domain::policy::Permission;

use crate::auth::Auth;
use crate::error::AppResult;
use crate::page::{PageCtx, render};
use crate::state::AppState;

/// One area of work on the dashboard: what the role does there and whether it is open yet.
pub struct WorkArea {
    pub title: String,
    pub text: String,
    pub href: Option<&'static str>,
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

/// The work areas of each role, from the journeys of the people who use SPRInt. Areas of
/// modules not yet built say so instead of pretending.
fn areas_for(role: Role) -> &'static [(&'static str, Option<&'static str>)] {
    match role {
        Role::Admin => &[
            ("area-users", Some("/admin/users")),
            ("area-organisations", Some("/admin/organisations")),
            ("area-audit", Some("/admin/audit")),
        ],
        Role::PrefectureOfficer => &[
            ("area-network", Some("/network")),
            ("area-referrals", Some("/cases")),
            ("area-deadlines", Some("/cases")),
            ("area-citizenship", None),
        ],
        Role::CaseWorker => &[
            ("area-people", Some("/people")),
            ("area-cases", Some("/cases")),
            ("area-referrals", Some("/cases")),
        ],
        Role::InfoPointOperator => &[
            ("area-contacts", Some("/front-office")),
            ("area-people", Some("/people")),
            ("area-bookings", None),
        ],
        Role::Mediator => &[
            ("area-translations", Some("/content")),
            ("area-interviews", None),
        ],
        Role::MinorsOfficer => &[
            ("area-people", Some("/people")),
            ("area-minors", None),
            ("area-minors-clock", None),
        ],
        Role::Inspector => &[
            ("area-inspection-plan", Some("/monitoring/planning")),
            ("area-inspections", Some("/inspections")),
        ],
        Role::CentreManager => &[
            ("area-my-centre", Some("/centres")),
            ("area-corrective-actions", Some("/actions")),
        ],
        Role::Trainer => &[
            ("area-trainings", Some("/trainings")),
            ("area-helpdesk", Some("/kb")),
        ],
        Role::Analyst => &[("area-indicators", None), ("area-open-data", None)],
    }
}

pub async fn home(
    State(st): State<AppState>,
    auth: Auth,
    axum::extract::Query(q): axum::extract::Query<HomeQuery>,
) -> AppResult<Response> {
    let actions = store::governance::my_actions(&st.db, &auth.ctx).await?;
    let tr = auth.info.tr;
    let mut areas = vec![];
    for g in &auth.user.grants {
        for (id, href) in areas_for(g.role) {
            if areas.iter().any(|a: &WorkArea| a.title == tr.t(id)) {
                continue;
            }
            areas.push(WorkArea {
                title: tr.t(id),
                text: tr.t(&format!("{id}-text")),
                href: *href,
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
    Ok(render(&HomePage {
        page: auth.info.page(&tr.t("home-title")),
        full_name: auth.user.full_name.clone(),
        org_name: auth.user.org_name.clone(),
        roles,
        areas,
        counts,
        actions,
        today: domain::clock::today(),
        done: q.done.as_deref() == Some("action"),
    }))
}
