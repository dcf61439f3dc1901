//! Parsing of user-typed values into checked ones. Each failure is a field error whose code
//! is a Fluent message id.

use crate::error::FieldError;

pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 256;

/// A trimmed, non-empty text of at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "field_required"));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(field, "field_too_long"));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, "field_invalid_characters"));
    }
    Ok(v.to_string())
}

/// A username: 3–64 characters of lowercase letters, digits, dot, dash, underscore.
pub fn username(value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_lowercase();
    if v.is_empty() {
        return Err(FieldError::new("username", "field_required"));
    }
    let ok = (3..=64).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if !ok {
        return Err(FieldError::new("username", "username_invalid"));
    }
    Ok(v)
}

/// An e-mail address: empty means none. Only the shape is checked; delivery is not.
pub fn optional_email(value: &str) -> Result<Option<String>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let shape_ok = v.len() <= 254
        && !v.chars().any(char::is_whitespace)
        && v.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    if shape_ok {
        Ok(Some(v.to_string()))
    } else {
        Err(FieldError::new("email", "email_invalid"))
    }
}

/// A new password: long enough, not absurdly long, not just the username.
pub fn new_password(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(FieldError::new(field, "password_too_short"));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(FieldError::new(field, "field_too_long"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(FieldError::new(field, "password_contains_username"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(username(" Giulia.R ").ok(), Some("giulia.r".into()));
        assert_eq!(username("a").unwrap_err().code, "username_invalid");
        assert_eq!(username("").unwrap_err().code, "field_required");
        assert_eq!(username("x y z").unwrap_err().code, "username_invalid");
    }

    #[test]
    fn passwords_must_be_long_and_not_the_username() {
        assert!(new_password("p", "short", "u").is_err());
        assert_eq!(
            new_password("p", "marco-rossi-1234", "marco-rossi")
                .unwrap_err()
                .code,
            "password_contains_username"
        );
        assert!(new_password("p", "correct horse battery", "marco").is_ok());
    }

    #[test]
    fn emails_are_optional_but_shaped() {
        assert_eq!(optional_email("  ").ok(), Some(None));
        assert!(optional_email("a@b.it").is_ok());
        assert!(optional_email("not an email").is_err());
        assert!(optional_email("a@.it").is_err());
    }

    #[test]
    fn required_text_rejects_empty_long_and_control_characters() {
        assert!(required_text("n", "  ", 10).is_err());
        assert!(required_text("n", "abcdefghijk", 10).is_err());
        assert!(required_text("n", "a\u{0}b", 10).is_err());
        assert_eq!(required_text("n", " ok ", 10).ok(), Some("ok".into()));
    }
}
