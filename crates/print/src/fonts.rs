//! The fonts every document may use.
//!
//! They are compiled into the binary so that a fresh machine prints Arabic,
//! Tigrinya or Bengali without installing anything; only CJK, which would add
//! about 20 MB, is taken from the system when Debian's `fonts-noto-cjk` is there.

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontFamily, FontList};
use typst::utils::LazyHash;

/// The vendored Noto fonts (see `assets/vendor/fonts/VERSION` and `OFL.txt`).
const EMBEDDED: [&[u8]; 9] = [
    include_bytes!("../assets/vendor/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoNaskhArabic-Bold.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoNastaliqUrdu-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansEthiopic-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansEthiopic-Bold.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansBengali-Regular.ttf"),
    include_bytes!("../assets/vendor/fonts/NotoSansBengali-Bold.ttf"),
];

/// Fonts the public web pages may download for scripts a phone may lack (Ethiopic for
/// Tigrinya, Bengali), by file name: the same files the PDFs embed, so there is one copy.
pub fn web_font(name: &str) -> Option<&'static [u8]> {
    let index = match name {
        "NotoSansEthiopic-Regular.ttf" => 5,
        "NotoSansEthiopic-Bold.ttf" => 6,
        "NotoSansBengali-Regular.ttf" => 7,
        "NotoSansBengali-Bold.ttf" => 8,
        _ => return None,
    };
    EMBEDDED.get(index).copied()
}

/// Where Debian's `fonts-noto-cjk` puts the collections with every CJK face.
const SYSTEM_CJK: [&str; 2] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
];

/// The parsed fonts and their book, shared by every render.
pub(crate) struct FontSet {
    pub(crate) book: LazyHash<FontBook>,
    pub(crate) fonts: Vec<Font>,
    /// Whether the optional CJK collection was found.
    pub(crate) cjk: bool,
}

/// Parsed once per process: parsing is cheap but the CJK file is large.
pub(crate) static FONTS: LazyLock<FontSet> = LazyLock::new(|| {
    let mut fonts: Vec<Font> = EMBEDDED
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    // Missing or unreadable is the normal case on a fresh machine: CJK is an
    // extra. Regular decides; bold, when there too, serves headings.
    let before = fonts.len();
    for path in SYSTEM_CJK {
        if let Ok(data) = std::fs::read(path) {
            fonts.extend(Font::iter(Bytes::new(data)));
        } else {
            break;
        }
    }
    let cjk = fonts.len() > before;
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    FontSet { book, fonts, cjk }
});

/// The fallback list for a document in `lang` (a lowercase ISO 639 code).
///
/// Typst takes each character from the first family in the list that has it,
/// so the order decides which font draws the shared characters (digits,
/// punctuation, spaces): Arabic-script documents put their own font first so
/// that these match the letters around them.
pub(crate) fn families(lang: &str, region: Option<&str>, script: Option<&str>) -> FontList {
    let mut names: Vec<&str> = Vec::with_capacity(7);
    match lang {
        // Urdu is written in Nastaliq; Naskh stays as the fallback.
        "ur" => names.extend(["Noto Nastaliq Urdu", "Noto Naskh Arabic", "Noto Sans"]),
        _ if is_arabic_script(lang) => names.extend(["Noto Naskh Arabic", "Noto Sans"]),
        _ => names.extend(["Noto Sans", "Noto Naskh Arabic"]),
    }
    names.extend(["Noto Sans Ethiopic", "Noto Sans Bengali"]);
    if FONTS.cjk {
        // Han characters are drawn differently in each region: pick the right face.
        names.push(match (lang, region, script) {
            ("ja", _, _) => "Noto Sans CJK JP",
            ("ko", _, _) => "Noto Sans CJK KR",
            ("zh", Some("HK" | "MO"), _) => "Noto Sans CJK HK",
            ("zh", Some("TW"), _) | ("zh", _, Some("hant")) => "Noto Sans CJK TC",
            _ => "Noto Sans CJK SC",
        });
    }
    FontList(names.into_iter().map(FontFamily::new).collect())
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
            for family in families(lang, None, None).0 {
                assert!(
                    FONTS.book.contains_family(family.as_str()),
                    "{lang}: {} missing",
                    family.as_str()
                );
            }
        }
    }
}
