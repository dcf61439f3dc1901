//! Common names that the phonetic keys conflate although they are different names.
//!
//! Collapsing vowels is what lets Mohamed meet Muhammad, but it also brings Mahmoud
//! (mhmd) onto Mohamed's skeleton, Hamed onto Ahmed's, and Said, Saad and Sayed onto one
//! vowel-collapsed key. These are among the most frequent names of the programme's
//! beneficiaries, so conflating them would flood the register with false "same name"
//! agreements. Each group lists the Latin spellings of one name; two tokens in different
//! groups never agree, whatever their keys say. Arabic-script tokens are in no group: without
//! vowels, محمد and محمود are still told apart by their letters, and حامد/أحمد cannot be.

const GROUPS: &[&[&str]] = &[
    &[
        "mohamed", "muhammad", "mohammed", "mohammad", "mohamad", "muhamad", "muhammed",
        "mohammod", "mouhamed",
    ],
    &["mahmoud", "mahmud", "mahmood", "mahmod", "mahmout"],
    &["ahmed", "ahmad", "ahmet", "ahmid"],
    &["hamed", "hamid", "hamad", "hameed", "hamada"],
    &["omar", "umar", "omer", "omor"],
    &["amr", "amro", "amru", "amrou"],
    &["ammar", "amar", "amaar"],
    &["hassan", "hasan", "hassen", "hasen"],
    &[
        "hussein", "husein", "hussain", "hossain", "hossein", "husain", "hosain", "husen", "hosen",
        "hussien", "houssein",
    ],
    &["said", "saeed", "saied", "saeid", "sayeed", "saiid"],
    &["saad", "sad", "saed"],
    &[
        "sayed", "sayyed", "syed", "seyed", "sayyid", "sayid", "saiyed",
    ],
    &["ali", "aly", "alii"],
    &["alaa", "ala", "alaaeldin"],
    &["karim", "kareem", "karem"],
    &["karima", "kareema"],
    &["samir", "sameer", "samer"],
    &["amir", "ameer", "amer"],
];

/// The group number of a name spelling (1-based), 0 if in none.
pub(crate) fn group(norm: &str) -> u8 {
    GROUPS
        .iter()
        .position(|g| g.contains(&norm))
        .map_or(0, |i| (i + 1) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_spelling_is_in_two_groups() {
        let mut all: Vec<&str> = GROUPS.iter().flat_map(|g| g.iter().copied()).collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn groups() {
        assert_eq!(group("mohamed"), group("muhammad"));
        assert_ne!(group("mohamed"), group("mahmoud"));
        assert_eq!(group("rakibul"), 0);
    }
}
