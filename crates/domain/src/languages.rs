//! The languages the programme works in: the public pages are published in these (issue 6)
//! and the front office records which one a contact was held in. Shown by their own name
//! (an autonym), so a reader finds theirs whatever the page's language.

/// Code (ISO 639-1, `prs` for Dari), name in the language itself, and whether it is
/// written right to left.
pub const LANGUAGES: &[(&str, &str, bool)] = &[
    ("it", "Italiano", false),
    ("en", "English", false),
    ("fr", "Français", false),
    ("es", "Español", false),
    ("ar", "العربية", true),
    ("fa", "فارسی", true),
    ("prs", "دری", true),
    ("ps", "پښتو", true),
    ("ur", "اردو", true),
    ("bn", "বাংলা", false),
    ("ti", "ትግርኛ", false),
    ("uk", "Українська", false),
    ("zh", "中文", false),
    ("sq", "Shqip", false),
    ("tl", "Tagalog", false),
];

pub fn is_known(code: &str) -> bool {
    LANGUAGES.iter().any(|l| l.0 == code)
}

/// A language's own name; empty for a code not in the list.
pub fn autonym(code: &str) -> &'static str {
    LANGUAGES
        .iter()
        .find(|l| l.0 == code)
        .map(|l| l.1)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_is_listed_once_and_the_right_to_left_ones_are_marked() {
        let mut codes: Vec<&str> = LANGUAGES.iter().map(|l| l.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), LANGUAGES.len());
        let rtl: Vec<&str> = LANGUAGES.iter().filter(|l| l.2).map(|l| l.0).collect();
        assert_eq!(rtl, ["ar", "fa", "prs", "ps", "ur"]);
        assert_eq!(autonym("bn"), "বাংলা");
        assert!(!is_known("xx"));
    }
}
