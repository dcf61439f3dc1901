//! From normalised words to the name tokens that are compared: abbreviations expanded,
//! `abd` compounds made one token, particles set aside.
//!
//! Why each rule exists:
//! - **Abbreviations.** Bangladeshi documents write Muhammad as "Md", "Mohd" or "Md." (and the
//!   Bengali মোঃ transliterates to "moh"); they expand to `muhammad` so the phonetic keys match.
//! - **`abd` compounds.** "Abdel Rahman", "Abdulrahman", "Abd al-Rahman", "Abdurrahman" and
//!   عبد الرحمن are one name (servant-of + a divine name) split and spelled many ways. They
//!   become one token `abd` + core, where the core has the linking vowel and the article
//!   (el/ul/al, or an assimilated `ur-r`) removed: all the above give `abdrahman`.
//! - **Particles.** al-/el-, bin/ben/ibn/bint, ould/wuld, da/de/di/del/van/von… are written or
//!   omitted at will. They are dropped (when another token remains) and, so that "El Sayed"
//!   still meets "Elsayed" and "Ben Ali" meets "Benali", a second, *glued* reading is produced
//!   with each particle joined to the word after it.

/// Which field of the record a token came from; used to recognise swapped name order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Given,
    Family,
    /// Aliases and original-script names: no field structure.
    Whole,
}

/// Tokens longer than this are cut: names are short, and the similarity code uses fixed
/// buffers. Cutting keeps comparisons bounded on hostile input.
pub(crate) const MAX_TOKEN_LEN: usize = 32;
/// More tokens than this in one name are ignored (the matcher's exact assignment is
/// exponential in the token count).
pub(crate) const MAX_TOKENS: usize = 8;

/// Abbreviations of Muhammad: Bangladeshi and Malay ("Md", "Mohd"), and Maghrebi "Med"
/// (Tunisian and Moroccan documents write Mohamed as "Med").
const ABBREVIATIONS: &[&str] = &[
    "md", "mohd", "muhd", "mhd", "moh", "mohd", "mohmd", "mhmmd", "med",
];

/// Words that open an `abd` compound when followed by another word.
const ABD_LEADS: &[&str] = &[
    "abd", "bd", "abdel", "abdul", "abdal", "abdoul", "abdil", "abdur", "abder", "abdar", "abdus",
    "abdes", "abdas", "abdol",
];

/// The Arabic article in its spellings, including the assimilated ones (ar-, as-, ad-…).
const ARTICLES: &[&str] = &[
    "al", "el", "ul", "il", "ar", "er", "ur", "as", "es", "us", "ad", "ed", "an", "en", "at", "et",
    "az", "ez", "ash", "esh",
];

/// Particles that are dropped (when another token remains).
const PARTICLES: &[&str] = &[
    "al", "el", "ul", "bin", "ben", "ibn", "bint", "binti", "ould", "wuld", "ag", "da", "de", "di",
    "del", "della", "dello", "dei", "degli", "delle", "van", "von", "der", "den", "du", "dos",
    "das", "do", "des", "ter", "ten",
];

/// Articles that follow a particle ("de la Cruz", "van der Berg") and go with it.
const SECOND_PARTICLES: &[&str] = &["la", "le", "lo", "las", "los", "der", "den", "de", "l"];

/// Words that are kept, but also glued to the next word in the second reading: Abu Bakr ~
/// Abubakar; the first halves of Tigrinya and Amharic compound names, written joined or apart
/// (Ghebre Mariam ~ Gebremariam, Welde Michael ~ Weldemichael, Tesfa Mariam); and the N of
/// West African names typed apart (N Guessan ~ N'Guessan).
const GLUE_ONLY: &[&str] = &[
    "abu", "abou", "abo", "gebre", "ghebre", "gebra", "ghebra", "tesfa", "welde", "wolde", "habte",
    "ande", "okba", "zere", "n",
];

/// The tokens of one name, with the field each came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tokens {
    pub(crate) words: Vec<(String, Field)>,
}

/// The readings of one name: the primary one and, when particles were present, the glued one.
pub(crate) struct Readings {
    pub(crate) primary: Tokens,
    pub(crate) glued: Option<Tokens>,
}

/// Turn normalised words (with their fields) into readings. Input words must come from
/// `normalise_name` (ASCII lowercase alphanumerics).
pub(crate) fn readings(words: &[(&str, Field)]) -> Readings {
    let cleaned: Vec<(String, Field)> = words
        .iter()
        .filter_map(|(w, f)| {
            // Digits are not part of names (they come from typing errors or ids pasted in).
            let w: String = w
                .chars()
                .filter(char::is_ascii_lowercase)
                .take(MAX_TOKEN_LEN)
                .collect();
            (!w.is_empty()).then_some((w, *f))
        })
        .map(|(w, f)| (expand_abbreviation(w), f))
        .collect();
    let merged = merge_abd(cleaned);

    let mut primary = Vec::new();
    let mut glued = Vec::new();
    let mut any_particle = false;
    let non_particles = merged.iter().filter(|(w, _)| !is_particle(w)).count();
    let mut i = 0;
    while i < merged.len() {
        let (w, f) = &merged[i];
        if is_particle(w) && non_particles > 0 {
            any_particle = true;
            // Collect the particle run ("de la", "van der") and glue it to the next word.
            let mut run = w.clone();
            let mut j = i + 1;
            while j < merged.len()
                && SECOND_PARTICLES.contains(&merged[j].0.as_str())
                && j + 1 < merged.len()
            {
                run.push_str(&merged[j].0);
                j += 1;
            }
            if let Some((next, nf)) = merged.get(j)
                && !is_particle(next)
            {
                primary.push((next.clone(), *nf));
                glued.push((cap(format!("{run}{next}")), *nf));
                i = j + 1;
                continue;
            }
            i = j;
            continue;
        }
        if GLUE_ONLY.contains(&w.as_str())
            && let Some((next, _)) = merged.get(i + 1)
        {
            any_particle = true;
            primary.push((w.clone(), *f));
            primary.push(merged[i + 1].clone());
            glued.push((cap(format!("{w}{next}")), *f));
            i += 2;
            continue;
        }
        primary.push((w.clone(), *f));
        glued.push((w.clone(), *f));
        i += 1;
    }
    primary.truncate(MAX_TOKENS);
    glued.truncate(MAX_TOKENS);
    Readings {
        primary: Tokens { words: primary },
        glued: any_particle.then_some(Tokens { words: glued }),
    }
}

fn cap(mut s: String) -> String {
    s.truncate(MAX_TOKEN_LEN);
    s
}

fn is_particle(w: &str) -> bool {
    PARTICLES.contains(&w)
}

fn expand_abbreviation(w: String) -> String {
    if ABBREVIATIONS.contains(&w.as_str()) {
        "muhammad".to_owned()
    } else {
        w
    }
}

/// Join `abd` leads with the following word (skipping an article between them) and bring
/// every `abd…` token to its canonical form.
fn merge_abd(words: Vec<(String, Field)>) -> Vec<(String, Field)> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let (w, f) = &words[i];
        if ABD_LEADS.contains(&w.as_str()) {
            let mut j = i + 1;
            if j + 1 < words.len() && ARTICLES.contains(&words[j].0.as_str()) {
                j += 1;
            }
            if let Some((next, _)) = words.get(j)
                && (!is_particle(next) || j > i + 1)
            {
                out.push((canonical_abd(&format!("{w}{next}")), *f));
                i = j + 1;
                continue;
            }
        }
        out.push((canonical_abd(w), *f));
        i += 1;
    }
    out
}

fn strip_vowels(mut r: &[u8]) -> &[u8] {
    while let [first, tail @ ..] = r {
        if is_vowel(*first) {
            r = tail;
        } else {
            break;
        }
    }
    r
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// `abd` + core, where the core loses its linking vowel and article: abdelaziz, abdulaziz,
/// abd-aziz → abdziz; abdullah, abdallah, abd-allah → abdlah; abdurrahman → abdrahman.
/// Words that are not `abd` compounds (or whose core would be empty: Abdou, Abdi) are kept.
pub(crate) fn canonical_abd(w: &str) -> String {
    let b = w.as_bytes();
    let rest: &[u8] = if b.starts_with(b"abd") {
        &b[3..]
    } else if b.starts_with(b"bd") {
        // Arabic-script عبد loses its ayin in transliteration.
        &b[2..]
    } else {
        return w.to_owned();
    };
    let mut core = strip_vowels(rest);
    // The article (abd-el-aziz) or the doubled letter of an assimilated one (abd-ur-rahman).
    if (core.len() > 2 && core[0] == b'l') || (core.len() >= 3 && core[0] == core[1]) {
        core = &core[1..];
    }
    let core = strip_vowels(core);
    if core.len() < 2 {
        return w.to_owned();
    }
    let mut out = String::with_capacity(3 + core.len());
    out.push_str("abd");
    out.extend(core.iter().map(|&b| char::from(b)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primary(s: &str) -> Vec<String> {
        let words: Vec<(&str, Field)> = s.split(' ').map(|w| (w, Field::Whole)).collect();
        readings(&words)
            .primary
            .words
            .into_iter()
            .map(|(w, _)| w)
            .collect()
    }

    fn glued(s: &str) -> Option<Vec<String>> {
        let words: Vec<(&str, Field)> = s.split(' ').map(|w| (w, Field::Whole)).collect();
        readings(&words)
            .glued
            .map(|t| t.words.into_iter().map(|(w, _)| w).collect())
    }

    #[test]
    fn abd_compounds_have_one_form() {
        for s in [
            "abdel rahman",
            "abdulrahman",
            "abd al rahman",
            "abdurrahman",
            "abd ar rahman",
            "abdelrahman",
            "bd al rhmn",
        ] {
            let p = primary(s);
            assert_eq!(p.len(), 1, "{s}: {p:?}");
            assert!(p[0] == "abdrahman" || p[0] == "abdrhmn", "{s}: {p:?}");
        }
        assert_eq!(primary("abdullah"), primary("abd allah"));
        assert_eq!(primary("abdallah"), primary("abdullah"));
        assert_eq!(primary("abdelaziz"), primary("abd al aziz"));
        assert_eq!(primary("abdou"), ["abdou"]);
        assert_eq!(primary("abdi"), ["abdi"]);
    }

    #[test]
    fn abbreviations_expand() {
        assert_eq!(
            primary("md rakibul islam"),
            ["muhammad", "rakibul", "islam"]
        );
        assert_eq!(primary("mohd ali"), ["muhammad", "ali"]);
    }

    #[test]
    fn particles_are_dropped_and_glued() {
        assert_eq!(primary("mohamed el sayed"), ["mohamed", "sayed"]);
        assert_eq!(
            glued("mohamed el sayed"),
            Some(vec!["mohamed".into(), "elsayed".into()])
        );
        assert_eq!(primary("ahmed ould abdallah"), ["ahmed", "abdlah"]);
        assert_eq!(primary("maria de la cruz"), ["maria", "cruz"]);
        assert_eq!(
            glued("maria de la cruz"),
            Some(vec!["maria".into(), "delacruz".into()])
        );
        assert_eq!(primary("ali bin omar"), ["ali", "omar"]);
        assert_eq!(primary("marco van basten"), ["marco", "basten"]);
        assert_eq!(glued("abu bakr"), Some(vec!["abubakr".into()]));
    }

    #[test]
    fn a_lone_particle_is_kept() {
        assert_eq!(primary("di"), ["di"]);
        assert_eq!(primary("ben"), ["ben"]);
    }

    #[test]
    fn digits_and_excess_are_dropped() {
        assert_eq!(primary("mohamed2 3"), ["mohamed"]);
        let many = "a b c d e f g h i j k l";
        assert_eq!(primary(many).len(), MAX_TOKENS);
    }
}
