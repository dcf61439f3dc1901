//! Organisations, roles and scopes: the words of the account model.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialised form (also the Fluent id suffix).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// What kind of body an organisation is.
    OrgKind {
        Prefecture = "prefecture",
        Partner = "partner",
        Patronato = "patronato",
        ManagingBody = "managing_body",
        CivilSociety = "civil_society",
        Municipality = "municipality",
        Court = "court",
    }
);

text_enum!(
    /// A job a user does in the programme. Permissions follow from roles (see `policy`).
    Role {
        Admin = "admin",
        PrefectureOfficer = "prefecture_officer",
        CaseWorker = "case_worker",
        InfoPointOperator = "info_point_operator",
        Mediator = "mediator",
        MinorsOfficer = "minors_officer",
        Inspector = "inspector",
        CentreManager = "centre_manager",
        Trainer = "trainer",
        Analyst = "analyst",
    }
);

text_enum!(
    /// How far a role reaches: the user's own records, their organisation's, or everything.
    Scope {
        Own = "own",
        Organisation = "organisation",
        All = "all",
    }
);

text_enum!(
    /// Languages of the operators' interface. Public pages have more (see the portal).
    UiLang {
        It = "it",
        En = "en",
        Ar = "ar",
    }
);

impl UiLang {
    pub fn is_rtl(self) -> bool {
        matches!(self, UiLang::Ar)
    }
}

/// A role held with a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl Grant {
    /// Parses `role` or `role:scope` (scope defaults to `organisation`), as typed on the
    /// command line.
    pub fn parse(s: &str) -> Option<Self> {
        let (role, scope) = match s.split_once(':') {
            Some((r, sc)) => (r, Scope::parse(sc)?),
            None => (s, Scope::Organisation),
        };
        Some(Grant {
            role: Role::parse(role)?,
            scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Some(*k));
        }
    }

    #[test]
    fn grants_parse_with_default_scope() {
        assert_eq!(
            Grant::parse("admin"),
            Some(Grant {
                role: Role::Admin,
                scope: Scope::Organisation
            })
        );
        assert_eq!(
            Grant::parse("inspector:all"),
            Some(Grant {
                role: Role::Inspector,
                scope: Scope::All
            })
        );
        assert_eq!(Grant::parse("pope"), None);
        assert_eq!(Grant::parse("admin:galaxy"), None);
    }
}
