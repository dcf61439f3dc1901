//! Phonetic keys of one name token.
//!
//! Two keys per token, both built from the same symbol sequence:
//! - the **vowel-collapsed key** (`light`): consonant classes, and every run of vowels as one
//!   `a`. Mohamed, Muhammad, Mohammed and Mohammad all give `mahamad`; Mahmoud gives `mahmad`,
//!   so the two common names stay apart. Two Latin spellings with the same light key are taken
//!   as transliterations of one name.
//! - the **consonant skeleton** (`skeleton`): the light key without its vowels (`mhmd`). Arabic
//!   script does not write short vowels, so محمد (mhmd) can only be compared with Latin
//!   spellings at this level; it is also the blocking key. Mahmoud and Mohamed share it, which
//!   is why, between two Latin spellings, a skeleton-only agreement counts for little.
//!
//! Consonant classes (why): k/q/c/ck → `k` (Qasim/Kassem), but c before e/i/y → `s` (French
//! spellings of West African names: Cissé/Sise/Ceesay), ph → `f`, gh → `g`, dh → `d`, sh and
//! ch → `s` (French "ch" writes the Arabic "sh": Chérif/Sherif, Achraf/Ashraf; Bengali চ was
//! already given as "ch"), x → `ks`, zh → `z`. Doubled letters collapse (Hossain/Hosain).
//!
//! Semivowels: `w` before a vowel and French `ou` before a vowel are the consonant `w`
//! (Walid/Oualid, Marwa/Maroua); otherwise `ou`/`w` are vowels (Mahmoud/Mahmud,
//! Chowdhury/Choudhury). A word-initial `y` or `i` before a vowel is the consonant `y`
//! (Yusuf/Iusuf, Yulia/Iuliia); elsewhere `y` is a vowel (Tesfay/Tesfaye, Hossain/Hossayn).
//!
//! Some spellings stand for either of two sounds and get their own symbol, equal to both
//! (`keys_equal` honours that; blocking indexes every reading):
//! - `j` → `J`, equal to `g` and `y`: Arabic ج is "j" in Arabic script and Levantine
//!   spellings but "g" in Egyptian ones (Jamal/Gamal, Rajab/Ragab), while Albanian, Slavic and
//!   German spellings write the sound y as "j" (Jusuf/Yusuf, Julia/Yulia). A word-initial "di"
//!   before a vowel is French for the same sound in West African names (Diallo/Jallow,
//!   Diatta/Jatta), like "dj" (Djamel/Jamal).
//! - `th` → `TH`, equal to `t` and `s`: Arabic ث is "th" in classical spellings, "t" in some
//!   and "s" in Egyptian, Turkish and South Asian ones (Othman/Osman/Usman, Thabet/Tabet).
//! - `kh` → `KH`, equal to `h` and `k`: Arabic خ is written kh, h or k (Khaled/Haled,
//!   Akhter/Akter, Khadiatou/Kadiatou).
//!
//! A final `h` after a vowel or a plain consonant is dropped (Fatimah/Fatima, Abdallah/
//! Abdalla, عبدالله → "bdllh"); a final `kh`/`sh`/`gh`… keeps it (Sheikh).

/// The vowel marker in light keys.
pub(crate) const VOWEL: u8 = b'a';
/// The ambiguous j, equal to `g` and to `y`.
pub(crate) const J: u8 = b'J';
/// The ambiguous th, equal to `t` and to `s`.
pub(crate) const TH: u8 = b'T';
/// The ambiguous kh, equal to `h` and to `k`.
pub(crate) const KH: u8 = b'K';

/// The two readings of an ambiguous symbol.
fn alternatives(s: u8) -> Option<[u8; 2]> {
    match s {
        J => Some([b'g', b'y']),
        TH => Some([b't', b's']),
        KH => Some([b'h', b'k']),
        _ => None,
    }
}

/// Whether a symbol stands for two sounds.
pub(crate) fn is_ambiguous(s: u8) -> bool {
    alternatives(s).is_some()
}

/// The two keys of one token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Keys {
    pub(crate) light: Vec<u8>,
    pub(crate) skeleton: Vec<u8>,
}

fn is_vowel_letter(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn is_vowelish(b: Option<&u8>) -> bool {
    matches!(b, Some(b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
}

/// Compute both keys of one canonical token (ASCII lowercase letters; anything else is
/// ignored).
pub(crate) fn keys(token: &str) -> Keys {
    let mut b: Vec<u8> = token.bytes().filter(u8::is_ascii_lowercase).collect();
    // Repeated, so that a doubled final h (Shahh, a typing slip) goes too.
    while b.len() > 1 && b.last() == Some(&b'h') {
        let before = b[b.len() - 2];
        if matches!(
            before,
            b'c' | b's' | b'k' | b'g' | b'd' | b't' | b'p' | b'z'
        ) {
            break;
        }
        b.pop();
    }

    // One symbol per sound: consonant classes, VOWEL, the ambiguous ones.
    let mut sym: Vec<u8> = Vec::with_capacity(b.len() + 2);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let n = b.get(i + 1).copied();
        let n2 = b.get(i + 2);
        let (out, step): (&[u8], usize) = match (c, n) {
            (b's', Some(b'c')) if n2 == Some(&b'h') => (b"s", 3),
            (b'd', Some(b'j')) => (&[J], 2),
            (b'd', Some(b'i')) if i == 0 && n2.is_some_and(|&v| is_vowel_letter(v)) => (&[J], 2),
            (b'p', Some(b'h')) => (b"f", 2),
            (b'k', Some(b'h')) => (&[KH], 2),
            (b'g', Some(b'h')) => (b"g", 2),
            (b'd', Some(b'h')) => (b"d", 2),
            (b't', Some(b'h')) => (&[TH], 2),
            (b's' | b'c', Some(b'h')) => (b"s", 2),
            (b'z', Some(b'h')) => (b"z", 2),
            (b'c', Some(b'k')) => (b"k", 2),
            (b'c', Some(b'e' | b'i' | b'y')) => (b"s", 1),
            (b'q' | b'c', _) => (b"k", 1),
            (b'x', _) => (b"ks", 1),
            (b'j', _) => (&[J], 1),
            (b'o', Some(b'u')) => {
                if n2.is_some_and(|&v| is_vowel_letter(v)) {
                    (b"w", 2)
                } else {
                    (&[VOWEL], 2)
                }
            }
            (b'w', _) => {
                if is_vowelish(b.get(i + 1)) {
                    (b"w", 1)
                } else {
                    (&[VOWEL], 1)
                }
            }
            // Word-initial y/i before a vowel is a consonant (Yusuf, Iusuf); so is y before a
            // vocalic w (Arabic يوسف → "ywsf").
            (b'y', Some(b'w')) if i == 0 => (b"y", 1),
            (b'y' | b'i', _)
                if i == 0 && n.is_some_and(is_vowel_letter) && !(c == b'i' && n == Some(b'i')) =>
            {
                (b"y", 1)
            }
            (b'y', _) => (&[VOWEL], 1),
            _ if is_vowel_letter(c) => (&[VOWEL], 1),
            _ => (std::slice::from_ref(&b[i]), 1),
        };
        for &s in out {
            // Collapse doubled consonants (mm, ss) and vowel runs (ai, ou, ee) as they appear.
            if sym.last() != Some(&s) {
                sym.push(s);
            }
        }
        i += step;
    }
    let skeleton = sym.iter().copied().filter(|&s| s != VOWEL).collect();
    Keys {
        light: sym,
        skeleton,
    }
}

/// Equality of keys where an ambiguous symbol equals either of its readings.
pub(crate) fn keys_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| symbols_equal(x, y))
}

pub(crate) fn symbols_equal(x: u8, y: u8) -> bool {
    if x == y {
        return true;
    }
    match (alternatives(x), alternatives(y)) {
        (Some(ax), Some(ay)) => ax.iter().any(|s| ay.contains(s)),
        (Some(ax), None) => ax.contains(&y),
        (None, Some(ay)) => ay.contains(&x),
        (None, None) => false,
    }
}

/// At most this many ambiguous symbols of one key are resolved both ways for blocking (2^2
/// readings); later ones take their first reading. Names with three are rare, and a bound
/// keeps the keys per person bounded.
const MAX_RESOLVED: usize = 2;

/// The readings of a key with its ambiguous symbols resolved, for blocking: one for a key
/// without any, two or four with.
pub(crate) fn resolved(key: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::with_capacity(key.len())];
    let mut forked = 0;
    for &s in key {
        match alternatives(s) {
            Some([first, second]) if forked < MAX_RESOLVED => {
                forked += 1;
                let mut other = out.clone();
                out.iter_mut().for_each(|r| r.push(first));
                other.iter_mut().for_each(|r| r.push(second));
                out.extend(other);
            }
            Some([first, _]) => out.iter_mut().for_each(|r| r.push(first)),
            None => out.iter_mut().for_each(|r| r.push(s)),
        }
    }
    out
}

/// One fixed reading of a key (each ambiguous symbol read its first way): a key for counting
/// spellings of one name together.
pub(crate) fn first_reading(key: &[u8]) -> Vec<u8> {
    key.iter()
        .map(|&s| alternatives(s).map_or(s, |[first, _]| first))
        .collect()
}

/// The phonetic skeleton of a whole name: each canonical token's consonant skeleton, in
/// order, separated by spaces (tokens whose skeleton is empty, like "Aya", keep their
/// vowel-collapsed key). The ambiguous symbols print as `j`, `th` and `kh`.
///
/// ```
/// assert_eq!(namematch::name_key("Mohamed Ahmed"), "mhmd hmd");
/// assert_eq!(namematch::name_key("Muhammad Ahmad"), "mhmd hmd");
/// assert_eq!(namematch::name_key("محمد أحمد"), "mhmd hmd");
/// assert_eq!(namematch::name_key("Abd al-Rahman"), namematch::name_key("Abdulrahman"));
/// ```
pub fn name_key(name: &str) -> String {
    let norm = crate::normalise_name(name);
    let words: Vec<(&str, crate::tokens::Field)> = norm
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| (w, crate::tokens::Field::Whole))
        .collect();
    let readings = crate::tokens::readings(&words);
    let mut out = String::new();
    for (w, _) in &readings.primary.words {
        let k = keys(w);
        let key = if k.skeleton.is_empty() {
            k.light
        } else {
            k.skeleton
        };
        if !out.is_empty() {
            out.push(' ');
        }
        for &s in &key {
            match s {
                J => out.push('j'),
                TH => out.push_str("th"),
                KH => out.push_str("kh"),
                _ => out.push(char::from(s)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn light(s: &str) -> String {
        String::from_utf8(keys(s).light).unwrap_or_default()
    }

    fn skel(s: &str) -> String {
        String::from_utf8(keys(s).skeleton).unwrap_or_default()
    }

    #[test]
    fn mohamed_spellings_share_the_light_key() {
        for s in [
            "mohamed", "muhammad", "mohammed", "mohammad", "mohamad", "muhamad",
        ] {
            assert_eq!(light(s), "mahamad", "{s}");
        }
        assert_eq!(skel("mhmd"), "mhmd");
    }

    #[test]
    fn mahmoud_is_not_mohamed_on_the_light_key() {
        assert_eq!(light("mahmoud"), "mahmad");
        assert_ne!(light("mahmoud"), light("mohamed"));
        assert_eq!(skel("mahmoud"), skel("mohamed"));
    }

    #[test]
    fn hossain_spellings_meet() {
        for s in [
            "hossain", "hussain", "hossein", "husain", "hosain", "hussein", "hossayn",
        ] {
            assert_eq!(light(s), "hasan", "{s}");
        }
    }

    #[test]
    fn tesfay_and_tesfaye_meet() {
        assert_eq!(light("tesfay"), light("tesfaye"));
    }

    /// The light keys are equal, ambiguous symbols honoured.
    fn meet(a: &str, b: &str) -> bool {
        keys_equal(&keys(a).light, &keys(b).light)
    }

    #[test]
    fn consonant_classes() {
        assert_eq!(light("kassem"), light("qasim"));
        assert!(meet("khaled", "haled"));
        assert_eq!(light("cherif"), light("sherif"));
        assert_eq!(light("achraf"), light("ashraf"));
        assert_eq!(light("oualid"), light("walid"));
        assert_eq!(light("maroua"), light("marwa"));
        assert_eq!(light("mahmoud"), light("mahmud"));
        assert_eq!(skel("chowdhury"), skel("choudhury"));
        assert_eq!(skel("chowdhury"), skel("chaudhuri"));
        assert_eq!(light("fatimah"), light("fatima"));
        assert!(meet("sheikh", "shaik"));
        assert_eq!(light("shahh"), light("shah"));
        assert_eq!(light("philippe"), light("filipe"));
        assert_eq!(skel("ghanem"), "gnm");
    }

    #[test]
    fn soft_c_reads_s() {
        assert_eq!(light("cisse"), light("sise"));
        assert_eq!(light("ceesay"), light("sise"));
        assert_eq!(light("coulibaly"), light("koulibaly"));
    }

    #[test]
    fn ambiguous_digraphs_meet_both_readings() {
        // th: Arabic ث written th, t or s.
        assert!(meet("othman", "osman"));
        assert!(meet("othman", "otman"));
        assert!(meet("thabet", "sabet"));
        // kh: Arabic خ written kh, h or k.
        assert!(meet("akhter", "akter"));
        assert!(meet("khadiatou", "kadiatou"));
        assert!(meet("khaled", "haled"));
        // Initial "di" before a vowel is the French spelling of j in West African names.
        assert!(meet("diallo", "jallow"));
        assert!(meet("diallo", "djallo"));
        assert!(meet("diatta", "jatta"));
        assert!(!meet("mohamed", "mahmoud"));
        assert!(!meet("osman", "oman"));
        assert_eq!(
            resolved(&keys("othman").skeleton),
            vec![b"tmn".to_vec(), b"smn".to_vec()]
        );
        assert_eq!(resolved(&keys("khalid").skeleton).len(), 2);
        // Two ambiguous symbols: four readings; more are not forked.
        assert_eq!(resolved(&keys("jathkh").skeleton).len(), 4);
        assert_eq!(first_reading(&keys("othman").light), b"atman".to_vec());
    }

    #[test]
    fn j_equals_g_and_y() {
        assert!(keys_equal(&keys("jamal").light, &keys("gamal").light));
        assert!(keys_equal(&keys("djamel").light, &keys("gamal").light));
        assert!(keys_equal(&keys("jusuf").light, &keys("yusuf").light));
        assert!(keys_equal(&keys("iusuf").light, &keys("yusuf").light));
        assert!(keys_equal(&keys("julia").light, &keys("iuliia").light));
        assert_eq!(
            resolved(&keys("rajab").skeleton),
            vec![b"rgb".to_vec(), b"ryb".to_vec()]
        );
    }

    #[test]
    fn arabic_transliterations_meet_latin_on_the_skeleton() {
        assert_eq!(skel("hmd"), skel("ahmed"));
        assert_eq!(skel("hsyn"), skel("hossain"));
        assert_eq!(skel("ywsf"), skel("youssef"));
        assert_eq!(skel("khld"), skel("khaled"));
        assert_eq!(skel("trq"), skel("tarek"));
        assert_eq!(skel("ly"), skel("ali"));
        assert_eq!(skel("brhym"), skel("ibrahim"));
        assert_eq!(skel("slm"), skel("islam"));
        assert_eq!(skel("ftma"), skel("fatima"));
        assert_eq!(skel("abdlh"), skel("abdlah"));
    }

    #[test]
    fn name_key_is_the_skeleton_of_each_token() {
        assert_eq!(name_key("Hossain"), name_key("Hussain"));
        assert_eq!(
            name_key("Md Rakibul Islam"),
            name_key("Mohammad Rakibul Islam")
        );
        assert_eq!(name_key("Aya"), "a");
        assert_eq!(name_key(""), "");
    }
}
