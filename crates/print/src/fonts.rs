//! The fonts every document may use.
//!
//! They are compiled into the binary so that a fresh machine prints Arabic, Urdu, Tigrinya,
//! Bengali or Chinese without installing anything. Chinese is a subset of Noto Sans CJK SC
//! (GB 2312 and every character of the locales; 4 MB instead of 40), made by
//! `crates/web/assets/vendor/fonts/make-subsets.py`.

use std::sync::LazyLock;

use typst::foundations::{Bytes, Regex};
use typst::text::{Covers, Font, FontBook, FontFamily, FontList};
use typst::utils::LazyHash;

/// The vendored Noto fonts (see `assets/vendor/fonts/VERSION` and `OFL.txt`).
const EMBEDDED: [&[u8]; 11] = [
    include_bytes!("../assets/vendor/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoNaskhArabic-Bold.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoNastaliqUrdu-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansEthiopic-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansEthiopic-Bold.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansBengali-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansBengali-Bold.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansCJKsc-Regular-subset.otf"),
    include_bytes!("../assets/vendor/fonts/NotoSansCJKsc-Bold-subset.otf"),
];

/// The parsed fonts and their book, shared by every render.
pub(crate) struct FontSet {
    pub(crate) book: LazyHash<FontBook>,
    pub(crate) fonts: Vec<Font>,
}

/// Parsed once per process.
pub(crate) static FONTS: LazyLock<FontSet> = LazyLock::new(|| {
    let fonts: Vec<Font> = EMBEDDED
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    FontSet { book, fonts }
});

/// Latin letters, which Arabic-script fonts draw poorly or not at all (Nastaliq sets them
/// with its own spacing and height): in those documents a Latin word (a name, an address,
/// Italian text) takes Noto Sans.
static LATIN: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\p{Latin}").ok());

/// The fallback list for a document in `lang` (a lowercase ISO 639 code).
///
/// Typst takes each character from the first family in the list that has it,
/// so the order decides which font draws the shared characters (digits,
/// punctuation, spaces): Arabic-script documents put their own font first so
/// that these match the letters around them.
pub(crate) fn families(lang: &str) -> FontList {
    let mut names: Vec<&str> = Vec::with_capacity(7);
    let mut list = Vec::with_capacity(8);
    if is_arabic_script(lang)
        && let Some(latin) = LATIN.clone()
    {
        list.push(FontFamily::with_coverage(
            "Noto Sans",
            Some(Covers::Regex(latin)),
        ));
    }
    match lang {
        // Urdu is written in Nastaliq; Naskh stays as the fallback.
        "ur" => names.extend(["Noto Nastaliq Urdu", "Noto Naskh Arabic", "Noto Sans"]),
        _ if is_arabic_script(lang) => names.extend(["Noto Naskh Arabic", "Noto Sans"]),
        _ => names.extend(["Noto Sans", "Noto Naskh Arabic"]),
    }
    names.extend(["Noto Sans Ethiopic", "Noto Sans Bengali"]);
    // Simplified Chinese glyphs for every Han character: the programme's Chinese readers are
    // from the mainland; other regions' forms would double the font's size.
    names.push("Noto Sans CJK SC");
    list.extend(names.into_iter().map(FontFamily::new));
    FontList(list)
}

/// Languages normally written in the Arabic script.
fn is_arabic_script(lang: &str) -> bool {
    matches!(
        lang,
        "ar" | "fa" | "ps" | "ur" | "ckb" | "sd" | "ug" | "prs"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_font_parses() {
        let parsed: usize = EMBEDDED
            .iter()
            .map(|data| Font::iter(Bytes::new(*data)).count())
            .sum();
        assert_eq!(parsed, EMBEDDED.len());
    }

    #[test]
    fn every_listed_family_is_in_the_book() {
        for lang in ["it", "ar", "ur", "ti", "bn", "zh", "ja"] {
            for family in families(lang).0 {
                assert!(
                    FONTS.book.contains_family(family.as_str()),
                    "{lang}: {} missing",
                    family.as_str()
                );
            }
        }
    }
}
