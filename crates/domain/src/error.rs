//! The one error type of the platform. Each variant has a stable snake_case code that is
//! also the Fluent message id used to explain it to people, and an HTTP status.

use std::fmt;

/// A problem with one field of a submitted form or JSON body. `code` is a Fluent message id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("session expired")]
    SessionExpired,
    #[error("forbidden")]
    Forbidden,
    /// The record is within the actor's scope only through a programme-wide grant: reading
    /// it needs a stated purpose, which the audit log keeps.
    #[error("purpose required")]
    PurposeRequired,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("edited by someone else in the meantime")]
    Conflict,
    #[error("the same submission is still being handled")]
    InFlight,
    #[error("already exists")]
    Duplicate(Vec<FieldError>),
    #[error("form token missing or stale")]
    Csrf,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("wrong one-time code")]
    InvalidTotp,
    #[error("account temporarily locked")]
    AccountLocked,
    #[error("account disabled")]
    AccountDisabled,
    #[error("too many attempts")]
    RateLimited,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("malformed request")]
    BadRequest,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A record kept immutable no longer matches the hash taken when it was frozen.
    #[error("content does not match its recorded hash")]
    Tampered,
    #[error("storage full: {0}")]
    StorageFull(String),
    /// An unexpected internal failure. The text is logged, never sent to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Stable code, also the Fluent message id of the explanation shown to people.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound => "not_found",
            Error::Unauthenticated => "unauthenticated",
            Error::SessionExpired => "session_expired",
            Error::Forbidden => "forbidden",
            Error::PurposeRequired => "purpose_required",
            Error::Validation(_) => "validation",
            Error::Conflict => "conflict",
            Error::InFlight => "in_flight",
            Error::Duplicate(_) => "duplicate",
            Error::Csrf => "csrf",
            Error::InvalidCredentials => "invalid_credentials",
            Error::InvalidTotp => "invalid_totp",
            Error::AccountLocked => "account_locked",
            Error::AccountDisabled => "account_disabled",
            Error::RateLimited => "rate_limited",
            Error::PayloadTooLarge => "payload_too_large",
            Error::BadRequest => "bad_request",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::Unavailable(_) => "unavailable",
            Error::StorageFull(_) => "storage_full",
            Error::Tampered => "tampered",
            Error::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound => 404,
            Error::Unauthenticated | Error::SessionExpired => 401,
            Error::InvalidCredentials | Error::InvalidTotp => 401,
            Error::Forbidden | Error::PurposeRequired | Error::Csrf | Error::AccountDisabled => 403,
            Error::Validation(_) => 422,
            Error::Conflict | Error::InFlight | Error::Duplicate(_) | Error::Tampered => 409,
            Error::AccountLocked | Error::RateLimited => 429,
            Error::PayloadTooLarge => 413,
            Error::BadRequest => 400,
            Error::MethodNotAllowed => 405,
            Error::UnsupportedMediaType => 415,
            Error::Unavailable(_) | Error::StorageFull(_) => 503,
            Error::Internal(_) => 500,
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            Error::Validation(f) | Error::Duplicate(f) => f,
            _ => &[],
        }
    }

    /// The error for a single invalid field.
    pub fn field(field: impl Into<String>, code: &'static str) -> Self {
        Error::Validation(vec![FieldError::new(field, code)])
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }
}

/// Every code the platform can return, so tests can check each has a translation.
pub const ALL_CODES: &[&str] = &[
    "not_found",
    "unauthenticated",
    "session_expired",
    "forbidden",
    "purpose_required",
    "validation",
    "conflict",
    "in_flight",
    "duplicate",
    "csrf",
    "invalid_credentials",
    "invalid_totp",
    "account_locked",
    "account_disabled",
    "rate_limited",
    "payload_too_large",
    "bad_request",
    "method_not_allowed",
    "unsupported_media_type",
    "unavailable",
    "storage_full",
    "tampered",
    "internal",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_code_is_listed_for_translation() {
        let samples = [
            Error::NotFound,
            Error::Unauthenticated,
            Error::SessionExpired,
            Error::Forbidden,
            Error::PurposeRequired,
            Error::Validation(vec![]),
            Error::Conflict,
            Error::InFlight,
            Error::Duplicate(vec![]),
            Error::Csrf,
            Error::InvalidCredentials,
            Error::InvalidTotp,
            Error::AccountLocked,
            Error::AccountDisabled,
            Error::RateLimited,
            Error::PayloadTooLarge,
            Error::BadRequest,
            Error::MethodNotAllowed,
            Error::UnsupportedMediaType,
            Error::Unavailable(String::new()),
            Error::StorageFull(String::new()),
            Error::Tampered,
            Error::Internal(String::new()),
        ];
        assert_eq!(samples.len(), ALL_CODES.len());
        for e in samples {
            assert!(ALL_CODES.contains(&e.code()), "{} missing", e.code());
        }
    }
}
