//! Helpers for forms re-shown with their errors: the submitted values come back as typed,
//! and each field shows its own message.

use domain::{Error, FieldError};

use crate::i18n::Tr;

#[derive(Default, Clone, Debug)]
pub struct FormErrors {
    pub fields: Vec<FieldError>,
    /// A message for the whole form (conflict, duplicate, …), already translated.
    pub general: Option<String>,
}

impl FormErrors {
    pub fn from_error(e: &Error, tr: &Tr) -> Option<Self> {
        match e {
            Error::Validation(f) | Error::Duplicate(f) => Some(FormErrors {
                fields: f.clone(),
                general: Some(tr.t(e.code())),
            }),
            Error::Conflict => Some(FormErrors {
                fields: vec![],
                general: Some(tr.t("conflict")),
            }),
            _ => None,
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f.field == field)
    }

    /// The translated message for `field`, or empty.
    pub fn msg(&self, field: &str, tr: &Tr) -> String {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| tr.t(f.code))
            .unwrap_or_default()
    }

    pub fn any(&self) -> bool {
        !self.fields.is_empty() || self.general.is_some()
    }
}

/// The values of a failed form, put back in its fields so nothing typed is lost.
#[derive(Default, Clone, Debug)]
pub struct Kept(pub Vec<(&'static str, String)>);

impl Kept {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// `?done=…` after a form's redirect, naming what was done.
#[derive(serde::Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    pub done: Option<String>,
}

impl Done {
    /// The message `{prefix}-{code}`, when the code is one of `known` (anything else in the
    /// address shows nothing).
    pub fn message(&self, tr: &Tr, prefix: &str, known: &[&str]) -> Option<String> {
        self.done
            .as_deref()
            .filter(|c| known.contains(c))
            .map(|c| tr.t(&format!("{prefix}-{c}")))
    }
}

/// The status a form re-shown with an error answers with: the error's own (409 for a
/// conflict), 422 otherwise.
pub fn error_status(e: &Error) -> axum::http::StatusCode {
    axum::http::StatusCode::from_u16(e.status())
        .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY)
}
