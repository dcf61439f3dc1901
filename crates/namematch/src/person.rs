//! The input record: what the matcher knows about a person.

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::birth::BirthDate;

/// Sex as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Sex {
    Male,
    Female,
    /// Recorded as neither; never counts as a conflict.
    Other,
}

/// Kinds of identifier. `Passport` and `Document` numbers are compared with each other (a
/// passport number is sometimes filed as a generic document), never with CUI or codice fiscale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum IdKind {
    /// Codice unico identificativo (police fingerprint identifier).
    Cui,
    /// Codice fiscale (tax code).
    CodiceFiscale,
    /// Passport number.
    Passport,
    /// Another identity document: identity card, residence permit, travel document.
    Document,
}

impl IdKind {
    /// A stable machine code, for messages and logs.
    pub fn code(self) -> &'static str {
        match self {
            IdKind::Cui => "cui",
            IdKind::CodiceFiscale => "codice_fiscale",
            IdKind::Passport => "passport",
            IdKind::Document => "document",
        }
    }

    /// Kinds in the same group are compared with each other.
    pub(crate) fn group(self) -> u8 {
        match self {
            IdKind::Cui => 0,
            IdKind::CodiceFiscale => 1,
            IdKind::Passport | IdKind::Document => 2,
        }
    }
}

/// A person as the matcher sees it. Every field is optional in practice: empty strings and
/// empty lists mean "not known", never "known to be empty".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Person {
    /// The caller's id for this record; returned in candidates and duplicate pairs.
    pub id: String,
    /// Given names, any script (all names may also sit here, or in `family_name`).
    pub given_names: String,
    /// Family name(s), any script.
    pub family_name: String,
    /// The name in its original script (Arabic, Bengali, Tigrinya…), as written by the person.
    pub name_original: Option<String>,
    /// Other names and spellings the person is known by.
    pub aliases: Vec<String>,
    pub sex: Option<Sex>,
    pub birth: Option<BirthDate>,
    /// Nationality: an ISO alpha-2 code; names and alpha-3 codes are resolved with
    /// [`crate::country::lookup`] too.
    pub nationality: Option<String>,
    /// Identifiers, in any formatting (spaces, dashes and case are normalised).
    pub identifiers: Vec<(IdKind, String)>,
    /// Phone numbers, in any formatting (see [`crate::normalise_phone`]).
    pub phones: Vec<String>,
}

impl Person {
    /// A person with an id and a name; fill the other fields directly or with the `with_*`
    /// helpers.
    pub fn new(
        id: impl Into<String>,
        given_names: impl Into<String>,
        family_name: impl Into<String>,
    ) -> Self {
        Person {
            id: id.into(),
            given_names: given_names.into(),
            family_name: family_name.into(),
            ..Person::default()
        }
    }

    pub fn with_birth(mut self, birth: BirthDate) -> Self {
        self.birth = Some(birth);
        self
    }

    pub fn with_sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    pub fn with_nationality(mut self, nationality: impl Into<String>) -> Self {
        self.nationality = Some(nationality.into());
        self
    }

    pub fn with_original(mut self, name: impl Into<String>) -> Self {
        self.name_original = Some(name.into());
        self
    }

    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.aliases.push(alias.into());
        self
    }

    pub fn with_identifier(mut self, kind: IdKind, value: impl Into<String>) -> Self {
        self.identifiers.push((kind, value.into()));
        self
    }

    pub fn with_phone(mut self, phone: impl Into<String>) -> Self {
        self.phones.push(phone.into());
        self
    }
}
