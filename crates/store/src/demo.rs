//! The demo world: the programme's organisations and one user per role, all marked as
//! demo. Seeding goes through the same store functions as real use (validation, audit).

use domain::Result;
use domain::account::{OrgKind, Role, Scope};

use crate::account::{self, OrgInput, UserInput};
use crate::db::{Ctx, Db};

/// The password of every demo account. Demo data only: printed at start-up and in the README.
pub const DEMO_PASSWORD: &str = "Demo-Roma-2026";

pub struct DemoOrg {
    pub key: &'static str,
    pub name: &'static str,
    pub kind: OrgKind,
}

pub const ORGS: &[DemoOrg] = &[
    DemoOrg {
        key: "prefettura",
        name: "Prefettura di Roma",
        kind: OrgKind::Prefecture,
    },
    DemoOrg {
        key: "integra",
        name: "Programma Integra",
        kind: OrgKind::Partner,
    },
    DemoOrg {
        key: "cri",
        name: "Croce Rossa Italiana – Comitato Area Metropolitana di Roma Capitale",
        kind: OrgKind::Partner,
    },
    DemoOrg {
        key: "patronato1",
        name: "Patronato Lavoro e Diritti – sede di Roma Termini",
        kind: OrgKind::Patronato,
    },
    DemoOrg {
        key: "patronato2",
        name: "Patronato Cittadini Insieme – sede di Tor Pignattara",
        kind: OrgKind::Patronato,
    },
    DemoOrg {
        key: "ente1",
        name: "Cooperativa Sociale Il Faro",
        kind: OrgKind::ManagingBody,
    },
    DemoOrg {
        key: "ente2",
        name: "Consorzio Accoglienza Tevere",
        kind: OrgKind::ManagingBody,
    },
    DemoOrg {
        key: "ente3",
        name: "Associazione Casa Comune",
        kind: OrgKind::ManagingBody,
    },
    DemoOrg {
        key: "tribunale",
        name: "Tribunale per i minorenni di Roma",
        kind: OrgKind::Court,
    },
    DemoOrg {
        key: "roma",
        name: "Roma Capitale – Dipartimento Politiche Sociali",
        kind: OrgKind::Municipality,
    },
];

pub struct DemoUser {
    pub username: &'static str,
    pub full_name: &'static str,
    pub org: &'static str,
    pub role: Role,
    pub scope: Scope,
    pub lang: &'static str,
}

pub const USERS: &[DemoUser] = &[
    DemoUser {
        username: "roberto",
        full_name: "Roberto Conti",
        org: "prefettura",
        role: Role::Admin,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "marco",
        full_name: "Marco Bianchi",
        org: "prefettura",
        role: Role::PrefectureOfficer,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "chiara",
        full_name: "Chiara Neri",
        org: "integra",
        role: Role::CaseWorker,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "giulia",
        full_name: "Giulia Romano",
        org: "integra",
        role: Role::InfoPointOperator,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "tanvir",
        full_name: "Tanvir Ahmed",
        org: "integra",
        role: Role::Mediator,
        scope: Scope::Organisation,
        lang: "en",
    },
    DemoUser {
        username: "sara",
        full_name: "Sara Esposito",
        org: "cri",
        role: Role::MinorsOfficer,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "paolo",
        full_name: "Paolo Ferri",
        org: "prefettura",
        role: Role::Inspector,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "anna",
        full_name: "Anna Greco",
        org: "ente1",
        role: Role::CentreManager,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "davide",
        full_name: "Davide Marino",
        org: "integra",
        role: Role::Trainer,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "elena",
        full_name: "Elena Ricci",
        org: "prefettura",
        role: Role::Analyst,
        scope: Scope::All,
        lang: "it",
    },
];

/// Seeds the demo world if it is not there yet. Returns whether anything was created.
pub async fn seed(db: &Db) -> Result<bool> {
    let ctx = Ctx::system("demo-seed");
    if account::find_org_by_name(db, ORGS[0].name).await?.is_some() {
        return Ok(false);
    }
    let mut ids = std::collections::HashMap::new();
    for o in ORGS {
        let id = account::create_org(
            db,
            &ctx,
            &OrgInput {
                name: o.name.to_string(),
                kind: o.kind.as_str().to_string(),
                active: Some("on".into()),
            },
            true,
        )
        .await?;
        ids.insert(o.key, id);
    }
    for u in USERS {
        account::create_user(
            db,
            &ctx,
            &UserInput {
                username: u.username.to_string(),
                full_name: u.full_name.to_string(),
                email: format!("{}@demo.sprint.invalid", u.username),
                org_id: ids.get(u.org).cloned().unwrap_or_default(),
                lang: u.lang.to_string(),
                grants: vec![format!("{}:{}", u.role, u.scope)],
                password: DEMO_PASSWORD.to_string(),
            },
        )
        .await?;
    }
    Ok(true)
}
