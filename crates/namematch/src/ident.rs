//! Identifier and phone normalisation.

/// Normalise an identifier for comparison: ASCII letters and digits only, uppercase. Returns
/// `None` for values that cannot identify anyone: shorter than 5 characters, one repeated
/// character ("000000", "XXXXX") or a placeholder ("UNKNOWN", "NONE", "NONDISPONIBILE"…),
/// because equal placeholders must not make two people "the same".
///
/// ```
/// assert_eq!(namematch::normalise_identifier(" ab-12 34.56 ").as_deref(), Some("AB123456"));
/// assert_eq!(namematch::normalise_identifier("n/a"), None);
/// ```
pub fn normalise_identifier(raw: &str) -> Option<String> {
    let v: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    const PLACEHOLDERS: &[&str] = &[
        "UNKNOWN",
        "NONE",
        "NULL",
        "NONDISPONIBILE",
        "NONPRESENTE",
        "SCONOSCIUTO",
        "MISSING",
        "NOTAVAILABLE",
        "INCORSO",
        "DAASSEGNARE",
        "ABCDE",
        "12345",
        "123456",
        "1234567",
        "12345678",
        "123456789",
    ];
    let first = v.bytes().next()?;
    if v.len() < 5 || v.bytes().all(|b| b == first) || PLACEHOLDERS.contains(&v.as_str()) {
        return None;
    }
    Some(v)
}

/// Normalise a phone number: digits with a leading `+` country code. Spaces, dashes, dots,
/// slashes and brackets are dropped; a leading `00` becomes `+`; Italian numbers written
/// without a prefix (mobiles starting with 3, landlines starting with 0) get `+39`. Numbers
/// of another country written without a prefix are kept as digits (they still compare equal
/// to themselves). Fewer than 6 digits is not a phone number.
///
/// ```
/// use namematch::normalise_phone;
/// assert_eq!(normalise_phone("333 123 4567").as_deref(), Some("+393331234567"));
/// assert_eq!(normalise_phone("0039 333-1234567").as_deref(), Some("+393331234567"));
/// assert_eq!(normalise_phone("+39 06 1234567").as_deref(), Some("+39061234567"));
/// assert_eq!(normalise_phone("06 1234567").as_deref(), Some("+39061234567"));
/// assert_eq!(normalise_phone("+20 100 123 4567").as_deref(), Some("+201001234567"));
/// ```
pub fn normalise_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let plus = trimmed.trim_start_matches(['(', ' ']).starts_with('+');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 || digits.len() > 17 {
        return None;
    }
    if plus {
        return Some(format!("+{digits}"));
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return (rest.len() >= 6).then(|| format!("+{rest}"));
    }
    let italian_mobile = digits.starts_with('3') && (9..=10).contains(&digits.len());
    let italian_landline = digits.starts_with('0') && (6..=11).contains(&digits.len());
    if italian_mobile || italian_landline {
        return Some(format!("+39{digits}"));
    }
    Some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_ignore_formatting() {
        assert_eq!(
            normalise_identifier("yb 1234567"),
            normalise_identifier("YB-1234567")
        );
        assert_eq!(
            normalise_identifier("RSS MRA 85T10 A562S").as_deref(),
            Some("RSSMRA85T10A562S")
        );
    }

    #[test]
    fn placeholders_are_not_identifiers() {
        for v in [
            "",
            "0",
            "n.d.",
            "000000",
            "XXXXXXX",
            "unknown",
            "non disponibile",
            "1234",
        ] {
            assert_eq!(normalise_identifier(v), None, "{v}");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(
            normalise_phone("(+39) 333.123.4567").as_deref(),
            Some("+393331234567")
        );
        assert_eq!(
            normalise_phone("3331234567").as_deref(),
            Some("+393331234567")
        );
        assert_eq!(
            normalise_phone("00201001234567").as_deref(),
            Some("+201001234567")
        );
        assert_eq!(normalise_phone("12345"), None);
        assert_eq!(normalise_phone("abc"), None);
        assert_eq!(normalise_phone("1001234567").as_deref(), Some("1001234567"));
    }
}
