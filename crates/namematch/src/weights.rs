//! How much an agreement is worth: token and phone frequencies, as Fellegi–Sunter weights.
//!
//! For a name token, agreement is worth `log2(m / u)` bits, where `m` (0.95) is the chance
//! that the same person's two records agree on it and `u` is the chance that two different
//! persons do — the token's frequency among indexed persons. "Mohamed" (a sixth of some
//! registers) is worth under 3 bits; a token seen once in a million, the 12-bit ceiling.
//!
//! Counts are kept per spelling group (the vowel-collapsed key), so Mohamed and Muhammad
//! count together, and per consonant skeleton, the key for two names in Arabic script (محمد
//! counts with every Mohamed). Until an index holds enough people, a small built-in table of names known
//! to be common among the programme's beneficiaries stands in, as pseudo-counts per 10,000
//! persons; real counts take over as the register grows. Without it, a fresh index would
//! treat "Mohamed Ahmed" as a rare name.
//!
//! Phone numbers are counted by the distinct names they were given under (see
//! `phone_bits`): a number given under a few names is a person's own, under many a
//! reception centre's.

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
            for key in TokenInfo::for_weights(name) {
                *map.entry(key).or_insert(0) += count;
            }
        }
        map
    })
}

/// Counts of persons per token spelling group and per phone number.
#[derive(Default, Debug)]
pub(crate) struct Frequencies {
    persons: u64,
    tokens: U64Map<u32>,
    phones: U64Map<PhoneCount>,
}

/// Beyond this many distinct names a phone number is a hub (a reception centre's, a
/// mediator's) whatever the exact count: the list stops growing.
const MAX_PHONE_NAMES: usize = 8;
/// A phone given by at most this many distinct names is one person's (or a couple's) and is
/// strong evidence; more, and it is a shared number that says little about who is who.
const MAX_PERSONAL_PHONE_NAMES: usize = 3;
/// Agreement weight of a phone number given under one name only.
const PHONE_BITS: f64 = 10.0;
/// A shared number (a reception centre's) is no evidence: the people who give it are those
/// housed or helped in one place, alike in nationality and age, and often in name.
const HUB_PHONE_BITS: f64 = 0.0;

/// Who gave one phone number: records, and distinct name signatures with their counts.
#[derive(Default, Debug)]
struct PhoneCount {
    records: u32,
    names: Vec<(u64, u32)>,
    /// More than `MAX_PHONE_NAMES` distinct names were seen.
    overflow: bool,
}

/// Records one person plausibly has with one phone number (re-registrations); more records
/// than this per name suggest several people under one name (a placeholder, a family).
const RECORDS_PER_PERSON: usize = 5;

impl PhoneCount {
    /// How many different persons seem to share the number: its distinct names, but at least
    /// one per `RECORDS_PER_PERSON` records.
    fn sharers(&self) -> usize {
        let by_records = (self.records as usize).div_ceil(RECORDS_PER_PERSON);
        if self.overflow {
            by_records.max(MAX_PHONE_NAMES + 1)
        } else {
            by_records.max(self.names.len())
        }
    }
}

impl Frequencies {
    pub(crate) fn add(&mut self, p: &Profile) {
        self.persons += 1;
        for k in &p.weight_keys {
            *self.tokens.entry(*k).or_insert(0) += 1;
        }
        for (_, h) in &p.phones {
            let c = self.phones.entry(*h).or_default();
            c.records += 1;
            if let Some(i) = c.names.iter().position(|(n, _)| *n == p.name_signature) {
                c.names[i].1 += 1;
            } else if c.names.len() < MAX_PHONE_NAMES {
                c.names.push((p.name_signature, 1));
            } else {
                c.overflow = true;
            }
        }
    }

    pub(crate) fn remove(&mut self, p: &Profile) {
        self.persons = self.persons.saturating_sub(1);
        for k in &p.weight_keys {
            decrement(&mut self.tokens, *k);
        }
        for (_, h) in &p.phones {
            let Some(c) = self.phones.get_mut(h) else {
                continue;
            };
            c.records = c.records.saturating_sub(1);
            if let Some(i) = c.names.iter().position(|(n, _)| *n == p.name_signature) {
                c.names[i].1 -= 1;
                if c.names[i].1 == 0 {
                    c.names.swap_remove(i);
                }
            }
            if c.records == 0 {
                self.phones.remove(h);
            }
        }
    }

    /// Agreement weight of a token, in bits.
    pub(crate) fn token_bits(&self, weight_key: u64) -> f64 {
        let seen = f64::from(self.tokens.get(&weight_key).copied().unwrap_or(0));
        let prior = f64::from(prior().get(&weight_key).copied().unwrap_or(0));
        let u = ((seen + prior + 0.5) / (self.persons as f64 + PRIOR_PERSONS)).min(1.0);
        (M / u).log2().clamp(MIN_TOKEN_BITS, MAX_TOKEN_BITS)
    }

    /// Persons indexed.
    pub(crate) fn persons(&self) -> u64 {
        self.persons
    }

    /// Records filed with this phone number.
    pub(crate) fn phone_records(&self, phone_hash: u64) -> u32 {
        self.phones.get(&phone_hash).map_or(0, |c| c.records)
    }

    /// Agreement weight of a shared phone number, in bits, and whether it is personal (strong
    /// evidence). What counts is how many different persons gave the number, estimated by
    /// their distinct names (see `Profile::name_signature`), not how many records carry it:
    /// one person registered five times keeps a personal phone. A number given under one name
    /// is worth 10 bits, under two 7.5, under three 6; beyond `MAX_PERSONAL_PHONE_NAMES` it is
    /// a shared number and worth nothing.
    pub(crate) fn phone_bits(&self, phone_hash: u64) -> (f64, bool) {
        let d = self.phones.get(&phone_hash).map_or(0, PhoneCount::sharers);
        if d > MAX_PERSONAL_PHONE_NAMES {
            return (HUB_PHONE_BITS, false);
        }
        (PHONE_BITS - 2.5 * (d.max(1) as f64).log2(), true)
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
        TokenInfo::for_weights(name)[0]
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
        assert_eq!(f.phone_bits(1), (PHONE_BITS, true));
        f.phones.insert(
            1,
            PhoneCount {
                records: 40,
                names: (0..8).map(|n| (n, 5)).collect(),
                overflow: true,
            },
        );
        let (bits, strong) = f.phone_bits(1);
        assert!(bits < 2.5 && !strong, "{bits}");
    }

    #[test]
    fn one_person_registered_often_keeps_a_personal_phone() {
        use crate::person::Person;
        use crate::profile::Lookup;
        let mut f = Frequencies::default();
        let spellings = ["Rakibul", "Rakibol", "Rakibul", "RAKIBUL", "রাকিবুল"];
        let mut hash = 0;
        for given in spellings {
            let p = Profile::build(
                &Person::new("x", given, "Islam").with_phone("333 1234567"),
                &mut Lookup(None),
            );
            hash = p.phones[0].1;
            f.add(&p);
        }
        assert_eq!(f.phone_bits(hash), (PHONE_BITS, true));
        let other = Profile::build(
            &Person::new("y", "Sajib", "Sarker").with_phone("333 1234567"),
            &mut Lookup(None),
        );
        f.add(&other);
        let (bits, strong) = f.phone_bits(hash);
        assert!(bits < PHONE_BITS && strong, "{bits}");
        f.remove(&other);
        assert_eq!(f.phone_bits(hash), (PHONE_BITS, true));
    }
}
