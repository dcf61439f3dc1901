//! Blocking keys: which indexed persons are worth scoring against a query.
//!
//! Scoring every pair is impossible at a million persons, so each person is filed under a few
//! keys and only persons sharing a key are scored. The keys, and why:
//! - **identifier** (kind group + normalised value), **phone**: exact evidence, always read;
//! - **full birth date** (exact precision only): catches spellings too different for the
//!   name keys, when the date is real;
//! - **name-token pair**: every unordered pair of two token skeletons of one reading (a
//!   repeated name, "Mohamed Mohamed", pairs with itself; so do Said/Saad, which share a
//!   skeleton, and a name of one word). Pairs
//!   are order-free, so swapped given/family names and names in one field meet; skeletons are
//!   spelling-free, so Mohamed/Muhammad/محمد meet. "Mohamed Ahmed" has one pair, and a pair is
//!   far more selective than a single common token;
//! - **name-token pair + birth year**: the same, per birth year (or "no year"). When a pair
//!   is too common (thousands of Mohamed Ahmed), the query reads these lists instead, for its
//!   year ±1. Scoring also counts them: how many persons of a year carry a name says whether
//!   an equal full date is rare enough to make one person (`namesakes_in_year`);
//! - **single token skeleton**: read only when short (rare tokens), so that a record whose
//!   other tokens were all spelled differently (Gamal/Jamal is fine, Gamal/Kamal is not) still
//!   meets.
//!
//! Skeletons with ambiguous symbols (`J`, `TH`, `KH`) are filed under every reading (g and y;
//! t and s; h and k).

use crate::hashing::KeyHasher;
use crate::phonetic::resolved;
use crate::profile::{Profile, VariantKind};

const TAG_ID: u8 = b'I';
const TAG_PHONE: u8 = b'P';
const TAG_DATE: u8 = b'D';
const TAG_TOKEN: u8 = b'T';
const TAG_PAIR: u8 = b'2';
const TAG_PAIR_YEAR: u8 = b'Y';
/// The "year" of persons without a birth date in pair-year keys.
const NO_YEAR: u16 = 0;
/// Bound on name-pair keys per person: 8 tokens make 28 pairs, ambiguous readings double some.
const MAX_PAIRS: usize = 64;

/// The keys of one person.
pub(crate) struct Keys {
    pub(crate) exact: Vec<u64>,
    pub(crate) dates: Vec<u64>,
    pub(crate) tokens: Vec<u64>,
    /// Name-pair keys, each with the raw pair hash state for deriving year keys.
    pub(crate) pairs: Vec<PairKey>,
    pub(crate) year: Option<u16>,
}

#[derive(Clone, Copy)]
pub(crate) struct PairKey {
    pub(crate) key: u64,
    seed: KeyHasher,
}

impl PairKey {
    pub(crate) fn with_year(&self, year: Option<u16>) -> u64 {
        let mut h = self.seed;
        h.number(u64::from(year.unwrap_or(NO_YEAR)));
        h.finish()
    }
}

pub(crate) fn keys(p: &Profile) -> Keys {
    let mut exact = Vec::new();
    for (kind, value) in &p.identifiers {
        let mut h = KeyHasher::new(TAG_ID);
        h.number(u64::from(kind.group())).bytes(value.as_bytes());
        exact.push(h.finish());
    }
    for (phone, _) in &p.phones {
        let mut h = KeyHasher::new(TAG_PHONE);
        h.bytes(phone.as_bytes());
        exact.push(h.finish());
    }

    let mut dates = Vec::new();
    if let Some(b) = p.birth.filter(|b| b.is_exact()) {
        let mut h = KeyHasher::new(TAG_DATE);
        h.number(u64::from(b.year))
            .number(u64::from(b.month.unwrap_or(0)))
            .number(u64::from(b.day.unwrap_or(0)));
        dates.push(h.finish());
    }

    let mut tokens = Vec::new();
    for v in &p.variants {
        for t in &v.tokens {
            for r in resolved(t.info.block_key()) {
                let mut h = KeyHasher::new(TAG_TOKEN);
                h.bytes(&r);
                tokens.push(h.finish());
            }
        }
    }
    tokens.sort_unstable();
    tokens.dedup();
    let pairs = pair_keys(p);

    Keys {
        exact,
        dates,
        tokens,
        pairs,
        year: p.birth.map(|b| b.year),
    }
}

/// The single-token keys a token is filed under (one per reading of its skeleton).
pub(crate) fn token_keys(t: &crate::profile::TokenInfo) -> Vec<u64> {
    resolved(t.block_key())
        .iter()
        .map(|r| {
            let mut h = KeyHasher::new(TAG_TOKEN);
            h.bytes(r);
            h.finish()
        })
        .collect()
}

/// The name-pair keys of a person: every unordered pair of two token skeletons of one
/// reading, with ambiguous symbols resolved both ways.
pub(crate) fn pair_keys(p: &Profile) -> Vec<PairKey> {
    let mut pair_material: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for v in &p.variants {
        // Each token's readings (one, or more for ambiguous symbols).
        let readings: Vec<Vec<Vec<u8>>> = v
            .tokens
            .iter()
            .map(|t| resolved(t.info.block_key()))
            .collect();
        // A name of one word pairs with itself, so that it has a pair (and a pair per year)
        // like any other name: one-word names (common among Afghans) can then be counted.
        if let [only] = readings.as_slice() {
            pair_material.extend(only.iter().map(|x| (x.clone(), x.clone())));
        }
        for i in 0..readings.len() {
            for j in i + 1..readings.len() {
                for x in &readings[i] {
                    for y in &readings[j] {
                        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
                        pair_material.push((lo.clone(), hi.clone()));
                    }
                }
            }
        }
    }
    pair_material.sort_unstable();
    pair_material.dedup();
    pair_material.truncate(MAX_PAIRS);
    pair_material
        .iter()
        .map(|(lo, hi)| {
            let mut key = KeyHasher::new(TAG_PAIR);
            key.bytes(lo).bytes(hi);
            let mut seed = KeyHasher::new(TAG_PAIR_YEAR);
            seed.bytes(lo).bytes(hi);
            PairKey {
                key: key.finish(),
                seed,
            }
        })
        .collect()
}

/// What the index knows about the persons filed under a key.
pub(crate) trait Census {
    /// How many indexed persons filed under `key` carry every one of the token spelling
    /// groups `names` (weight keys, sorted); all of them when `names` is empty.
    fn namesakes(&self, key: u64, names: &[u64]) -> usize;
}

/// No index: nobody is filed, so nothing is known to be common.
pub(crate) struct Unindexed;

impl Census for Unindexed {
    fn namesakes(&self, _key: u64, _names: &[u64]) -> usize {
        0
    }
}

/// The spelling groups of the tokens of a person's name as registered in Latin letters (not
/// the original-script or alias readings, which namesakes need not share), sorted.
fn registered_names(p: &Profile) -> Vec<u64> {
    let mut keys: Vec<u64> = p
        .variants
        .iter()
        .filter(|v| matches!(v.kind, VariantKind::Primary | VariantKind::Glued) && !v.abjad)
        .flat_map(|v| v.tokens.iter().map(|t| t.info.weight_key))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// How many indexed persons born in `year` carry the name that `a` and `b` share. For a name
/// pair (skeletons) both carry, the persons filed under it for the year who also carry every
/// spelling group both registered names share (so Mahmoud Ahmed, whose skeletons are those of
/// Mohamed Ahmed, counts only the Mahmouds); the fewest over the shared pairs. When they share
/// no pair (one name has a typing slip in a consonant), each name is looked up on its own and
/// the larger count is taken: the correct spelling is the one that has namesakes. `None` when
/// a person has no name.
pub(crate) fn namesakes_in_year(
    a: &Profile,
    b: &Profile,
    year: u16,
    census: &dyn Census,
) -> Option<usize> {
    let pa = pair_keys(a);
    let pb = pair_keys(b);
    let (na, nb) = (registered_names(a), registered_names(b));
    let shared_names: Vec<u64> = na
        .iter()
        .filter(|k| nb.binary_search(k).is_ok())
        .copied()
        .collect();
    let shared = pa
        .iter()
        .filter(|x| pb.iter().any(|y| y.key == x.key))
        .map(|p| census.namesakes(p.with_year(Some(year)), &shared_names))
        .min();
    shared.or_else(|| {
        let fewest = |pairs: &[PairKey]| {
            pairs
                .iter()
                .map(|p| census.namesakes(p.with_year(Some(year)), &[]))
                .min()
        };
        Some(fewest(&pa)?.max(fewest(&pb)?))
    })
}

impl Keys {
    /// Every key a person is filed under.
    pub(crate) fn for_insert(&self) -> Vec<u64> {
        let mut all: Vec<u64> = Vec::with_capacity(
            self.exact.len() + self.dates.len() + self.tokens.len() + 2 * self.pairs.len(),
        );
        all.extend(&self.exact);
        all.extend(&self.dates);
        all.extend(&self.tokens);
        for p in &self.pairs {
            all.push(p.key);
            all.push(p.with_year(self.year));
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The pair-year keys a query reads when a pair list is too long: its year ±1 (the
    /// tolerance of estimated years, and year-only dates off by one in the other record are
    /// still worth a look), or the "no year" list when it has no date.
    pub(crate) fn year_keys(&self, pair: &PairKey) -> Vec<u64> {
        match self.year {
            Some(y) => (y.saturating_sub(1)..=y.saturating_add(1))
                .map(|y| pair.with_year(Some(y)))
                .collect(),
            None => vec![pair.with_year(None)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::Person;
    use crate::profile::Lookup;

    fn keys_of(p: &Person) -> Keys {
        keys(&Profile::build(p, &mut Lookup(None)))
    }

    #[test]
    fn swapped_and_respelled_names_share_pair_keys() {
        let a = keys_of(&Person::new("a", "Mohamed", "Ahmed"));
        let b = keys_of(&Person::new("b", "Ahmad", "Muhammad"));
        let c = keys_of(&Person::new("c", "", "محمد أحمد"));
        assert_eq!(a.pairs.len(), 1);
        assert_eq!(a.pairs[0].key, b.pairs[0].key);
        assert_eq!(a.pairs[0].key, c.pairs[0].key);
    }

    #[test]
    fn year_keys_differ_by_year() {
        let a = keys_of(
            &Person::new("a", "Mohamed", "Ahmed").with_birth(crate::BirthDate::year_only(2007)),
        );
        let ys = a.year_keys(&a.pairs[0]);
        assert_eq!(ys.len(), 3);
        assert!(a.for_insert().contains(&ys[1]));
        assert!(!a.for_insert().contains(&ys[0]));
    }

    #[test]
    fn j_names_are_filed_under_both_readings() {
        let jamal = keys_of(&Person::new("a", "Jamal", "Omar"));
        let gamal = keys_of(&Person::new("b", "Gamal", "Omar"));
        assert!(
            jamal
                .pairs
                .iter()
                .any(|p| gamal.pairs.iter().any(|q| q.key == p.key))
        );
    }
}
