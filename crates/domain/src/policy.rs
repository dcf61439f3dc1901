//! Who may do what. This is the one place where permissions are decided; every store
//! function asks `Actor::require` before it touches data. Anything not granted here is
//! denied.

use crate::account::{Grant, Role, Scope};
use crate::error::{Error, Result};

/// Something a person may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the directory of organisations (names and kinds: not personal data).
    ViewOrganisations,
    /// Create and edit organisations.
    ManageOrganisations,
    /// See user accounts (personal data: reads are audited).
    ViewUsers,
    /// Create, edit, disable users and reset their passwords.
    ManageUsers,
    /// Read the audit log.
    ViewAudit,
    /// Search the shared register for likely matches (names, birth year, nationality and
    /// the registering organisation only): the duplicate check before creating a person.
    SearchPeople,
    /// Open a person's full record (identity, identifiers, contacts, consents).
    ViewPeople,
    /// Register and edit people.
    EditPeople,
    /// Read and record vulnerabilities (special-category data, encrypted, audited).
    ViewVulnerabilities,
    /// See cases (of the organisation in scope, or referred to it).
    ViewCases,
    /// Open and work on cases, refer them, answer referrals.
    EditCases,
    /// Edit the procedure catalogue and add versions of the legal rules.
    ManageCatalogue,
    /// See the unaccompanied minors of the hub in scope: their record and legal clock
    /// (every read is audited with its purpose).
    ViewMinors,
    /// Take minors in and keep their record: notifications, identification, movements,
    /// the end of the stay.
    EditMinors,
    /// See the minors' figures (counts, small ones shown as "<5"), never a record.
    ViewMinorCounts,
    /// See the registry of reception centres (a centre manager: their own centres).
    ViewCentres,
    /// Add and edit centres and their contracts (the Prefecture's monitoring office).
    ManageCentres,
    /// Record a centre's daily presences, by form or CSV (a centre manager: their own).
    RecordPresences,
    /// Answer the transfers of minors to the facilities of one's managing body, seeing only
    /// what a transfer shares.
    AnswerTransfers,
    /// Plan, carry out and close inspections of centres; verify or reopen corrective
    /// actions and record penalties (the monitoring office).
    Inspect,
    /// Answer the corrective actions of one's own centres, with evidence.
    AnswerFindings,
    /// Log a centre's critical events and guests' complaints.
    LogCentreEvents,
    /// Record legal-support consultations held for guests (their notes are sealed).
    RecordLegalSupport,
    /// See the monitoring figures: counts and averages across centres, never a guest.
    ViewMonitoringFigures,
    /// See the programme's reports: the FAMI indicators and dashboards, aggregates only.
    /// With an organisation scope, one's own organisation's figures and the programme's
    /// totals; with the whole programme in scope, every organisation's.
    ViewReports,
    /// Log front-office contacts and assisted digital services at an info point, and see
    /// the day's contacts of one's organisation.
    LogContacts,
    /// Write and publish the Italian source of the public service pages, and publish
    /// translations another person wrote.
    EditContent,
    /// Write translations of the public service pages (never the Italian source), send them
    /// to review, and publish those another translator wrote.
    TranslateContent,
    /// Run the network's bodies (the territorial council's secretariat): bodies, members,
    /// meetings, attendance, minutes through their states, decisions and action items.
    ManageNetwork,
    /// Run trainings: courses, sessions (on-the-job visits too), enrolment, attendance, and
    /// certificates for any participant.
    ManageTrainings,
    /// Ask the helpdesk a question about a procedure, and read one's organisation's ones.
    AskHelpdesk,
    /// Answer every helpdesk question and turn answers into knowledge-base entries.
    AnswerHelpdesk,
    /// Screen one's centres' guests for vulnerability (Safe Space), refer them with their
    /// consent, and acknowledge the Safe Space protocol for one's managing body.
    ScreenVulnerability,
    /// Publish the Safe Space protocol and follow who acknowledged it.
    ManageSafeSpace,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ViewOrganisations,
        Permission::ManageOrganisations,
        Permission::ViewUsers,
        Permission::ManageUsers,
        Permission::ViewAudit,
        Permission::SearchPeople,
        Permission::ViewPeople,
        Permission::EditPeople,
        Permission::ViewVulnerabilities,
        Permission::ViewCases,
        Permission::EditCases,
        Permission::ManageCatalogue,
        Permission::ViewMinors,
        Permission::EditMinors,
        Permission::ViewMinorCounts,
        Permission::ViewCentres,
        Permission::ManageCentres,
        Permission::RecordPresences,
        Permission::AnswerTransfers,
        Permission::Inspect,
        Permission::AnswerFindings,
        Permission::LogCentreEvents,
        Permission::RecordLegalSupport,
        Permission::ViewMonitoringFigures,
        Permission::LogContacts,
        Permission::EditContent,
        Permission::TranslateContent,
        Permission::ManageNetwork,
        Permission::ManageTrainings,
        Permission::AskHelpdesk,
        Permission::AnswerHelpdesk,
        Permission::ScreenVulnerability,
        Permission::ManageSafeSpace,
    ];

    /// The stable text of a permission, as stored with an organisation's inbox queue.
    pub fn code(self) -> &'static str {
        match self {
            Permission::ViewOrganisations => "view_organisations",
            Permission::ManageOrganisations => "manage_organisations",
            Permission::ViewUsers => "view_users",
            Permission::ManageUsers => "manage_users",
            Permission::ViewAudit => "view_audit",
            Permission::SearchPeople => "search_people",
            Permission::ViewPeople => "view_people",
            Permission::EditPeople => "edit_people",
            Permission::ViewVulnerabilities => "view_vulnerabilities",
            Permission::ViewCases => "view_cases",
            Permission::EditCases => "edit_cases",
            Permission::ManageCatalogue => "manage_catalogue",
            Permission::ViewMinors => "view_minors",
            Permission::EditMinors => "edit_minors",
            Permission::ViewMinorCounts => "view_minor_counts",
            Permission::ViewCentres => "view_centres",
            Permission::ManageCentres => "manage_centres",
            Permission::RecordPresences => "record_presences",
            Permission::AnswerTransfers => "answer_transfers",
            Permission::Inspect => "inspect",
            Permission::AnswerFindings => "answer_findings",
            Permission::LogCentreEvents => "log_centre_events",
            Permission::RecordLegalSupport => "record_legal_support",
            Permission::ViewMonitoringFigures => "view_monitoring_figures",
            Permission::ViewReports => "view_reports",
            Permission::LogContacts => "log_contacts",
            Permission::EditContent => "edit_content",
            Permission::TranslateContent => "translate_content",
            Permission::ManageNetwork => "manage_network",
            Permission::ManageTrainings => "manage_trainings",
            Permission::AskHelpdesk => "ask_helpdesk",
            Permission::AnswerHelpdesk => "answer_helpdesk",
            Permission::ScreenVulnerability => "screen_vulnerability",
            Permission::ManageSafeSpace => "manage_safe_space",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.iter().copied().find(|p| p.code() == s)
    }
}

/// The permissions each role carries. Scope comes from the grant, not from here.
pub fn role_permissions(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Admin => &[
            ViewOrganisations,
            ManageOrganisations,
            ViewUsers,
            ManageUsers,
            ViewAudit,
            ManageCatalogue,
            EditContent,
            TranslateContent,
        ],
        // People's records are for those who accompany them; administrators manage
        // accounts, not beneficiaries, and analysts see only aggregates.
        // The Prefecture's officers also run the territorial council's secretariat.
        Role::PrefectureOfficer => &[
            ViewOrganisations,
            SearchPeople,
            ViewPeople,
            EditPeople,
            ViewVulnerabilities,
            ViewCases,
            EditCases,
            ManageNetwork,
            AskHelpdesk,
            AnswerHelpdesk,
            ViewReports,
        ],
        Role::CaseWorker => &[
            ViewOrganisations,
            SearchPeople,
            ViewPeople,
            EditPeople,
            ViewVulnerabilities,
            ViewCases,
            EditCases,
            AskHelpdesk,
            ViewReports,
        ],
        // The hub's staff: a minor's record is theirs alone (a receiving facility will see
        // only what a transfer shares).
        Role::MinorsOfficer => &[
            ViewOrganisations,
            SearchPeople,
            ViewPeople,
            EditPeople,
            ViewVulnerabilities,
            ViewCases,
            EditCases,
            ViewMinors,
            EditMinors,
            ViewMinorCounts,
            ViewReports,
        ],
        Role::InfoPointOperator => &[
            ViewOrganisations,
            SearchPeople,
            ViewPeople,
            EditPeople,
            ViewCases,
            EditCases,
            LogContacts,
            AskHelpdesk,
            ViewReports,
        ],
        // Mediators sit at the info point's desk too, and log the contacts they hold.
        Role::Mediator => &[
            ViewOrganisations,
            SearchPeople,
            ViewPeople,
            ViewCases,
            LogContacts,
            TranslateContent,
            AskHelpdesk,
        ],
        // Managing bodies register their guests, screen them (Safe Space) and refer them
        // through cases, within their own organisation.
        Role::CentreManager => &[
            ViewOrganisations,
            AnswerTransfers,
            ViewCentres,
            RecordPresences,
            AnswerFindings,
            LogCentreEvents,
            AskHelpdesk,
            SearchPeople,
            ViewPeople,
            EditPeople,
            ViewVulnerabilities,
            ViewCases,
            EditCases,
            ScreenVulnerability,
            ViewReports,
        ],
        Role::Inspector => &[
            ViewOrganisations,
            ViewCentres,
            ManageCentres,
            RecordPresences,
            Inspect,
            LogCentreEvents,
            RecordLegalSupport,
            ViewMonitoringFigures,
            ManageSafeSpace,
            ViewReports,
        ],
        Role::Analyst => &[
            ViewOrganisations,
            ViewMinorCounts,
            ViewMonitoringFigures,
            ViewReports,
        ],
        Role::Trainer => &[ViewOrganisations, ManageTrainings, ViewReports],
    }
}

/// Who is acting: a signed-in user, or the platform itself (command line, seeding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    User,
    System,
    /// Someone not signed in (a failed login, a public page).
    Anonymous,
}

impl ActorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    /// User id, or a name such as `cli` for the system.
    pub id: String,
    pub org_id: Option<String>,
    pub grants: Vec<Grant>,
}

impl Actor {
    /// The platform acting on its own behalf (command line, demo seeding, migrations).
    pub fn system(name: &str) -> Self {
        Actor {
            kind: ActorKind::System,
            id: name.to_string(),
            org_id: None,
            grants: vec![],
        }
    }

    /// Someone not signed in: holds no permission at all.
    pub fn anonymous() -> Self {
        Actor {
            kind: ActorKind::Anonymous,
            id: "anonymous".to_string(),
            org_id: None,
            grants: vec![],
        }
    }

    pub fn user(id: String, org_id: String, grants: Vec<Grant>) -> Self {
        Actor {
            kind: ActorKind::User,
            id,
            org_id: Some(org_id),
            grants,
        }
    }

    /// The widest scope with which the actor holds `perm`, if any. The system actor holds
    /// everything: it only exists in trusted code paths (CLI, seeding).
    pub fn scope_for(&self, perm: Permission) -> Option<Scope> {
        if self.kind == ActorKind::System {
            return Some(Scope::All);
        }
        self.grants
            .iter()
            .filter(|g| role_permissions(g.role).contains(&perm))
            .map(|g| g.scope)
            .max()
    }

    pub fn can(&self, perm: Permission) -> bool {
        self.scope_for(perm).is_some()
    }

    /// Denies unless `perm` is granted; returns the scope to filter data with.
    pub fn require(&self, perm: Permission) -> Result<Scope> {
        self.scope_for(perm).ok_or(Error::Forbidden)
    }

    /// Whether the actor may act on a record that belongs to `org_id` (and, for own scope,
    /// was created by or is `owner_id`).
    pub fn reaches(&self, perm: Permission, org_id: &str, owner_id: Option<&str>) -> bool {
        match self.scope_for(perm) {
            Some(Scope::All) => true,
            Some(Scope::Organisation) => self.org_id.as_deref() == Some(org_id),
            Some(Scope::Own) => owner_id.is_some() && owner_id == Some(self.id.as_str()),
            None => false,
        }
    }

    /// The codes of every permission the actor holds, whatever the scope: the queues of an
    /// organisation's inbox the actor belongs to.
    pub fn permission_codes(&self) -> Vec<&'static str> {
        Permission::ALL
            .iter()
            .filter(|p| self.can(**p))
            .map(|p| p.code())
            .collect()
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, scope: Scope) -> Actor {
        Actor::user("u1".into(), "o1".into(), vec![Grant { role, scope }])
    }

    #[test]
    fn nothing_is_allowed_without_a_grant() {
        let a = Actor::user("u".into(), "o".into(), vec![]);
        for p in Permission::ALL {
            assert!(a.require(*p).is_err());
        }
    }

    #[test]
    fn only_admins_manage_users_and_read_the_audit_log() {
        for role in Role::ALL {
            let a = actor(*role, Scope::All);
            assert_eq!(a.can(Permission::ManageUsers), *role == Role::Admin);
            assert_eq!(a.can(Permission::ViewAudit), *role == Role::Admin);
            assert!(a.can(Permission::ViewOrganisations));
        }
    }

    #[test]
    fn organisation_scope_reaches_only_the_own_organisation() {
        let a = actor(Role::Admin, Scope::Organisation);
        assert!(a.reaches(Permission::ManageUsers, "o1", None));
        assert!(!a.reaches(Permission::ManageUsers, "o2", None));
        let own = actor(Role::Admin, Scope::Own);
        assert!(own.reaches(Permission::ManageUsers, "o2", Some("u1")));
        assert!(!own.reaches(Permission::ManageUsers, "o1", Some("u2")));
    }

    #[test]
    fn widest_scope_wins_among_several_grants() {
        let a = Actor::user(
            "u".into(),
            "o".into(),
            vec![
                Grant {
                    role: Role::Admin,
                    scope: Scope::Own,
                },
                Grant {
                    role: Role::Admin,
                    scope: Scope::All,
                },
            ],
        );
        assert_eq!(a.scope_for(Permission::ManageUsers), Some(Scope::All));
    }
}
