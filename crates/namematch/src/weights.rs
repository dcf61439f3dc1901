//! How much an agreement is worth: token and phone frequencies, as Fellegi–Sunter weights.
//!
//! For a name token, agreement is worth `log2(m / u)` bits, where `m` (0.95) is the chance
//! that the same person's two records agree on it and `u` is the chance that two different
//! persons do — the token's frequency among indexed persons. "Mohamed" (a sixth of some
//! registers) is worth under 3 bits; a token seen once in a million, the 12-bit ceiling.
//!
//! Counts are kept per spelling group (the vowel-collapsed key), so Mohamed and Muhammad
//! count together. Until an index holds enough people, a small built-in table of names known
//! to be common among the programme's beneficiaries stands in, as pseudo-counts per 10,000
//! persons; real counts take over as the register grows. Without it, a fresh index would
//! treat "Mohamed Ahmed" as a rare name.

use std::sync::OnceLock;

use crate::hashing::U64Map;
use crate::profile::{Profile, TokenInfo};

const M: f64 = 0.95;
const PRIOR_PERSONS: f64 = 10_000.0;
const MIN_TOKEN_BITS: f64 = 0.5;
const MAX_TOKEN_BITS: f64 = 12.0;

/// Names common among the programme's beneficiaries, with rough counts per 10,000 persons.
/// Spelling variants need not be listed: they share the vowel-collapsed key.
const COMMON_NAMES: &[(&str, u32)] = &[
    ("mohamed", 1500),
    ("ahmed", 800),
    ("ali", 600),
    ("mahmoud", 350),
    ("hassan", 400),
    ("hossain", 250),
    ("ibrahim", 300),
    ("mostafa", 250),
    ("abdlah", 250),
    ("islam", 300),
    ("khan", 200),
    ("omar", 250),
    ("youssef", 250),
    ("said", 150),
    ("salah", 120),
    ("adel", 100),
    ("hamed", 100),
    ("khaled", 150),
    ("mohamud", 80),
    ("abdrahman", 150),
    ("rahman", 200),
    ("uddin", 150),
    ("miah", 120),
    ("begum", 80),
    ("akter", 80),
    ("kumar", 120),
    ("singh", 150),
    ("diallo", 200),
    ("bah", 120),
    ("barry", 100),
    ("camara", 100),
    ("sow", 90),
    ("traore", 110),
    ("kone", 80),
    ("coulibaly", 80),
    ("toure", 80),
    ("cisse", 80),
    ("keita", 70),
    ("jallow", 100),
    ("ceesay", 70),
    ("touray", 60),
    ("mamadou", 200),
    ("ibrahima", 120),
    ("abdoulaye", 100),
    ("ousmane", 100),
    ("moussa", 100),
    ("amadou", 80),
    ("lamin", 80),
    ("tesfay", 80),
    ("tesfaye", 0),
    ("ghebre", 60),
    ("haile", 60),
    ("yonas", 50),
    ("osman", 100),
    ("abdi", 80),
    ("farah", 60),
    ("yusuf", 100),
    ("abdullahi", 60),
    ("hussein", 100),
    ("mustafa", 0),
    ("amin", 80),
    ("karim", 80),
    ("samir", 60),
    ("nasser", 60),
    ("saleh", 60),
    ("gamal", 60),
    ("ramadan", 60),
    ("abdelaziz", 60),
    ("ashraf", 50),
    ("emad", 50),
];

fn prior() -> &'static U64Map<u32> {
    static PRIOR: OnceLock<U64Map<u32>> = OnceLock::new();
    PRIOR.get_or_init(|| {
        let mut map = U64Map::default();
        for (name, count) in COMMON_NAMES {
            *map.entry(TokenInfo::for_weights(name)).or_insert(0) += count;
        }
        map
    })
}

/// Counts of persons per token spelling group and per phone number.
#[derive(Default, Debug)]
pub(crate) struct Frequencies {
    persons: u64,
    tokens: U64Map<u32>,
    phones: U64Map<u32>,
}

impl Frequencies {
    pub(crate) fn add(&mut self, p: &Profile) {
        self.persons += 1;
        for k in &p.weight_keys {
            *self.tokens.entry(*k).or_insert(0) += 1;
        }
        for (_, h) in &p.phones {
            *self.phones.entry(*h).or_insert(0) += 1;
        }
    }

    pub(crate) fn remove(&mut self, p: &Profile) {
        self.persons = self.persons.saturating_sub(1);
        for k in &p.weight_keys {
            decrement(&mut self.tokens, *k);
        }
        for (_, h) in &p.phones {
            decrement(&mut self.phones, *h);
        }
    }

    /// Agreement weight of a token, in bits.
    pub(crate) fn token_bits(&self, weight_key: u64) -> f64 {
        let seen = f64::from(self.tokens.get(&weight_key).copied().unwrap_or(0));
        let prior = f64::from(prior().get(&weight_key).copied().unwrap_or(0));
        let u = ((seen + prior + 0.5) / (self.persons as f64 + PRIOR_PERSONS)).min(1.0);
        (M / u).log2().clamp(MIN_TOKEN_BITS, MAX_TOKEN_BITS)
    }

    /// Agreement weight of a shared phone number, in bits, and whether it is strong evidence.
    /// A phone shared by two records is worth 6 bits; one shared by many (a reception
    /// centre's, a mediator's) is worth less and less: 8 − 2·log2(k) bits for k sharers.
    pub(crate) fn phone_bits(&self, phone_hash: u64) -> (f64, bool) {
        let k = f64::from(self.phones.get(&phone_hash).copied().unwrap_or(0).max(2));
        ((8.0 - 2.0 * k.log2()).clamp(1.0, 6.0), k <= 3.0)
    }
}

fn decrement(map: &mut U64Map<u32>, key: u64) {
    if let Some(c) = map.get_mut(&key) {
        *c -= 1;
        if *c == 0 {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> u64 {
        TokenInfo::for_weights(name)
    }

    #[test]
    fn common_names_weigh_less_than_rare_ones() {
        let f = Frequencies::default();
        let mohamed = f.token_bits(key("mohamed"));
        let muhammad = f.token_bits(key("muhammad"));
        let rakibul = f.token_bits(key("rakibul"));
        assert_eq!(mohamed, muhammad);
        assert!(mohamed < 3.0, "{mohamed}");
        assert!(rakibul > 10.0, "{rakibul}");
    }

    #[test]
    fn observed_counts_take_over() {
        let mut f = Frequencies::default();
        let before = f.token_bits(key("zorro"));
        f.persons = 1_000_000;
        f.tokens.insert(key("zorro"), 100_000);
        assert!(f.token_bits(key("zorro")) < 4.0);
        assert!(before > 10.0);
    }

    #[test]
    fn shared_phones_weigh_less() {
        let mut f = Frequencies::default();
        assert_eq!(f.phone_bits(1), (6.0, true));
        f.phones.insert(1, 40);
        let (bits, strong) = f.phone_bits(1);
        assert!(bits < 2.0 && !strong);
    }
}
