//! Transliteration of any script to ASCII, with the few corrections that name matching needs.
//!
//! `any_ascii` does the heavy lifting (Arabic, Bengali, Ethiopic, Cyrillic, Greek, CJK, Latin
//! diacritics…). On top of it:
//! - the Arabic definite article ال at the start of a word becomes a separate token `al`, so
//!   that الرحمن reads like "al-Rahman" and the particle rules can drop it;
//! - ة (tā' marbūṭa) becomes `a` as in Latin spellings (فاطمة → "ftma" ~ Fatima), not `h`;
//! - Bengali চ becomes `ch` (any_ascii writes `c`), as in Latin spellings (Chowdhury);
//! - CJK ideographs are spaced (any_ascii glues 张伟 into "ZhangWei"), one syllable a token;
//! - apostrophe-like marks are dropped, not turned into spaces: Sa'id → said, N'Diaye → ndiaye,
//!   and the ayin/hamza any_ascii writes as ` and ' disappear;
//! - other symbols (punctuation, emoji) separate words and never become words themselves.
//!
//! The output is raw ASCII (mixed case, punctuation kept as spaces); `normalise` cleans it.

/// Whether a character belongs to an abjad (a script that does not write short vowels):
/// Arabic and its extensions, Hebrew, Syriac. Names from such scripts can only be compared
/// with Latin spellings on their consonants.
pub(crate) fn is_abjad(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{05FF}'   // Hebrew
        | '\u{0600}'..='\u{06FF}' // Arabic
        | '\u{0700}'..='\u{074F}' // Syriac
        | '\u{0750}'..='\u{077F}' // Arabic Supplement
        | '\u{08A0}'..='\u{08FF}' // Arabic Extended-A
        | '\u{FB1D}'..='\u{FB4F}' // Hebrew presentation forms
        | '\u{FB50}'..='\u{FDFF}' // Arabic presentation forms A
        | '\u{FE70}'..='\u{FEFF}' // Arabic presentation forms B
    )
}

fn is_cjk_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}'
    )
}

/// Arabic letters (not the combining vowel marks, which sit inside words too).
fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FC}')
}

fn is_arabic_word_char(c: char) -> bool {
    is_arabic_letter(c) || matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

const ALEF: char = '\u{0627}';
const ALEF_WASLA: char = '\u{0671}';
const LAM: char = '\u{0644}';

/// The result of transliterating one string.
pub(crate) struct Transliterated {
    pub(crate) text: String,
    /// The input contained letters of an abjad script.
    pub(crate) abjad: bool,
}

/// Transliterate `input` to ASCII (see the module documentation for the rules).
pub(crate) fn to_ascii(input: &str) -> Transliterated {
    let chars: Vec<char> = input.chars().collect();
    let mut text = String::with_capacity(input.len());
    let mut abjad = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii() {
            text.push(c);
            i += 1;
            continue;
        }
        if is_abjad(c) {
            abjad = true;
        }
        let word_start = i == 0 || !is_arabic_word_char(chars[i - 1]);
        if word_start && (c == ALEF || c == ALEF_WASLA) && chars.get(i + 1) == Some(&LAM) {
            // Only an article if at least two letters follow it in the same word: ال + noun.
            let rest = chars[i + 2..]
                .iter()
                .take_while(|c| is_arabic_word_char(**c))
                .filter(|c| is_arabic_letter(**c))
                .count();
            if rest >= 2 {
                text.push_str(" al ");
                i += 2;
                continue;
            }
        }
        match c {
            '\u{0629}' => text.push('a'),      // ة tā' marbūṭa
            '\u{099A}' => text.push_str("ch"), // চ Bengali ca
            _ if is_cjk_ideograph(c) => {
                text.push(' ');
                text.push_str(any_ascii::any_ascii_char(c));
                text.push(' ');
            }
            _ => {
                let out = any_ascii::any_ascii_char(c);
                if c.is_alphanumeric() {
                    text.push_str(out);
                } else if out.is_empty() || out.bytes().all(|b| b == b'\'' || b == b'`') {
                    // Combining marks vanish; apostrophe-like marks join the word.
                } else {
                    // Punctuation, symbols, emoji: a word boundary, never a word.
                    text.push(' ');
                }
            }
        }
        i += 1;
    }
    Transliterated { text, abjad }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_article_is_split_off() {
        assert_eq!(to_ascii("الرحمن").text.trim(), "al rhmn");
        // Not an article inside a word: عبدالله keeps its letters together.
        assert_eq!(to_ascii("عبدالله").text, "`bdllh");
    }

    #[test]
    fn arabic_is_flagged_as_abjad() {
        assert!(to_ascii("محمد").abjad);
        assert!(!to_ascii("রাকিবুল").abjad);
        assert!(!to_ascii("Mohamed").abjad);
    }

    #[test]
    fn ta_marbuta_reads_as_a() {
        assert_eq!(to_ascii("فاطمة").text, "ftma");
    }

    #[test]
    fn bengali_ca_reads_as_ch() {
        assert_eq!(to_ascii("চৌধুরী").text, "chaudhuri");
    }

    #[test]
    fn cjk_syllables_are_separate_words() {
        assert_eq!(
            to_ascii("张伟").text.split_whitespace().collect::<Vec<_>>(),
            ["Zhang", "Wei"]
        );
    }

    #[test]
    fn emoji_and_symbols_are_boundaries() {
        assert_eq!(to_ascii("Ali😀Omar").text, "Ali Omar");
        assert_eq!(to_ascii("N\u{2019}Diaye").text, "NDiaye");
    }
}
