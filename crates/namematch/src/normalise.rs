//! Surface normalisation of a name: any script to lowercase ASCII words.
//!
//! `normalise_name` is the first step of every comparison and is public so that other crates
//! (search boxes, exports) normalise the same way. It transliterates (see `translit`), lowercases,
//! drops apostrophes, turns every other non-alphanumeric character into a single space and
//! trims. The output contains only `[a-z0-9 ]`, without double or edge spaces, so applying it
//! twice changes nothing (a property test checks this).

use crate::translit;

/// Normalise a name to lowercase ASCII words separated by single spaces.
///
/// ```
/// assert_eq!(namematch::normalise_name("  Özil-ÇAKIR  "), "ozil cakir");
/// assert_eq!(namematch::normalise_name("Sa'id"), "said");
/// assert_eq!(namematch::normalise_name("محمد"), "mhmd");
/// ```
pub fn normalise_name(input: &str) -> String {
    normalise_with_script(input).0
}

/// Normalise, and say whether the input was written in an abjad (Arabic, Hebrew, Syriac).
pub(crate) fn normalise_with_script(input: &str) -> (String, bool) {
    let t = translit::to_ascii(input);
    (clean_ascii(&t.text), t.abjad)
}

fn clean_ascii(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for b in raw.bytes() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'A'..=b'Z' => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(char::from(b.to_ascii_lowercase()));
            }
            // Apostrophes join: D'Angelo → dangelo, and any_ascii's ayin/hamza marks vanish.
            b'\'' | b'`' => {}
            _ => pending_space = true,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_are_removed() {
        assert_eq!(normalise_name("Öçñé"), "ocne");
        assert_eq!(normalise_name("José María Núñez"), "jose maria nunez");
        assert_eq!(normalise_name("Jose\u{301}"), "jose");
    }

    #[test]
    fn punctuation_separates_and_spaces_collapse() {
        assert_eq!(normalise_name(" Abd  al-Rahman. "), "abd al rahman");
        assert_eq!(normalise_name("D'Angelo"), "dangelo");
        assert_eq!(normalise_name(""), "");
        assert_eq!(normalise_name("-- ..."), "");
    }

    #[test]
    fn scripts_are_transliterated() {
        assert_eq!(normalise_name("রাকিবুল ইসলাম"), "rakibul islam");
        assert_eq!(normalise_name("ተስፋዬ"), "tesfaye");
        assert_eq!(normalise_name("Юлія"), "yuliya");
        assert_eq!(normalise_name("محمد أحمد"), "mhmd hmd");
    }
}
