//! The in-memory index: prepared persons, blocking posting lists and the frequency table.

use std::collections::HashMap;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::blocking::{self, Census};
use crate::hashing::U64Map;
use crate::person::Person;
use crate::profile::{Interner, Lookup, Profile};
use crate::score::{self, Config, Decision, Match};
use crate::weights::Frequencies;

/// An indexed person that may be the same as the query.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Candidate {
    /// The indexed person's id.
    pub id: String,
    pub matched: Match,
}

/// A person found by a name search.
#[derive(Clone, Debug, PartialEq)]
pub struct NameHit {
    /// The indexed person's id.
    pub id: String,
    /// How well the names agree (bits of evidence, plus credit for words being typed that
    /// begin one of the person's names); higher is better.
    pub score: f64,
}

/// Credit for a word being typed ("moh") that begins one of a person's names: about what an
/// exact agreement on a common name is worth.
const PREFIX_CREDIT: f64 = 4.0;

/// At most this many candidates of a name search are scored in full.
const SEARCH_SCORED: usize = 600;

/// At most this many interned names that begin a word being typed are read.
const PREFIX_TOKENS: usize = 64;

/// Persons prepared for matching. Insert the register once (or keep the index up to date as
/// persons are created, edited and removed), then ask for the candidates of a new person.
///
/// Memory: roughly 1 KB per person. An index is `Send + Sync`: share it behind a `RwLock`.
#[derive(Default)]
pub struct Index {
    config: Config,
    profiles: Vec<Option<Profile>>,
    slots: HashMap<Box<str>, u32>,
    postings: U64Map<Vec<u32>>,
    freq: Frequencies,
    interner: Interner,
}

impl Index {
    /// An empty index with the default configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty index with the given thresholds and limits.
    pub fn with_config(config: Config) -> Self {
        Index {
            config,
            ..Self::default()
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Number of persons in the index.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Add a person, or replace the person with the same id.
    pub fn insert(&mut self, person: &Person) {
        let profile = Profile::build(person, &mut self.interner);
        let slot = match self.slots.get(person.id.as_str()) {
            Some(&slot) => {
                if let Some(old) = self.profiles[slot as usize].take() {
                    self.freq.remove(&old);
                }
                slot
            }
            None => {
                let slot = self.profiles.len() as u32;
                self.profiles.push(None);
                self.slots.insert(person.id.as_str().into(), slot);
                slot
            }
        };
        self.file(slot, profile);
    }

    /// Remove a person; returns whether it was there. Its posting-list entries stay until the
    /// slot is reused and are skipped meanwhile.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slots.remove(id) else {
            return false;
        };
        if let Some(old) = self.profiles[slot as usize].take() {
            self.freq.remove(&old);
        }
        true
    }

    /// Append a person without the id map (for `dedup`, whose input may repeat ids).
    pub(crate) fn append(&mut self, person: &Person) -> u32 {
        let profile = Profile::build(person, &mut self.interner);
        let slot = self.profiles.len() as u32;
        self.profiles.push(None);
        self.file(slot, profile);
        slot
    }

    fn file(&mut self, slot: u32, profile: Profile) {
        for key in blocking::keys(&profile).for_insert() {
            let list = self.postings.entry(key).or_default();
            if list.last() != Some(&slot) {
                list.push(slot);
            }
        }
        self.freq.add(&profile);
        self.profiles[slot as usize] = Some(profile);
    }

    pub(crate) fn profile(&self, slot: u32) -> Option<&Profile> {
        self.profiles.get(slot as usize).and_then(Option::as_ref)
    }

    pub(crate) fn slot_count(&self) -> usize {
        self.profiles.len()
    }

    /// Compare two persons with this index's name frequencies and thresholds (neither needs
    /// to be in the index).
    pub fn compare(&self, a: &Person, b: &Person) -> Match {
        let pa = Profile::build(a, &mut Lookup(Some(&self.interner)));
        let pb = Profile::build(b, &mut Lookup(Some(&self.interner)));
        score::compare(&pa, &pb, &self.freq, self, &self.config)
    }

    pub(crate) fn compare_profiles(&self, a: &Profile, b: &Profile) -> Match {
        score::compare(a, b, &self.freq, self, &self.config)
    }

    /// Compare two indexed persons, and say whether they can be one person at all (see
    /// `score::assess`).
    pub(crate) fn assess_profiles(&self, a: &Profile, b: &Profile) -> (Match, bool) {
        score::assess(a, b, &self.freq, self, &self.config)
    }

    /// The indexed persons that may be `person`, best first, at most `limit`, without those
    /// judged `Different`. An indexed record with the same id as `person` is left out (so
    /// that editing a person does not find itself).
    pub fn candidates(&self, person: &Person, limit: usize) -> Vec<Candidate> {
        let query = Profile::build(person, &mut Lookup(Some(&self.interner)));
        let own = self.slots.get(person.id.as_str()).copied();
        let mut slots = Vec::new();
        self.gather(&query, &mut slots);
        let mut out: Vec<Candidate> = slots
            .into_iter()
            .filter(|s| Some(*s) != own)
            .filter_map(|s| {
                let p = self.profile(s)?;
                let m = self.compare_profiles(&query, p);
                (m.decision != Decision::Different).then(|| Candidate {
                    id: p.id.to_string(),
                    matched: m,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.matched
                .score
                .total_cmp(&a.matched.score)
                .then_with(|| a.id.cmp(&b.id))
        });
        out.truncate(limit);
        out
    }

    /// The register's name search, as an operator types it: the indexed persons whose names
    /// agree with `text` (any spelling the matcher reads as the same name, in any order or
    /// field), best first, at most `limit`. The last word, while it is being typed ("Ahmed
    /// Moh"), also finds the names it begins.
    ///
    /// Unlike `candidates`, a common name is no reason to leave a record out: a search is
    /// not a claim of identity, and the operator looking for "Ahmed" wants the Ahmeds. Long
    /// posting lists are read up to the candidate budget instead of being skipped.
    pub fn search(&self, text: &str, limit: usize) -> Vec<NameHit> {
        let probe = Person::new("", text, "");
        let query = Profile::build(&probe, &mut Lookup(Some(&self.interner)));
        let keys = blocking::keys(&query);
        let budget = self.config.max_candidates;
        let list = |k: &u64| self.postings.get(k).map(Vec::as_slice).unwrap_or(&[]);
        let words: Vec<&str> = query
            .variants
            .first()
            .map(|v| v.tokens.iter().map(|t| &*t.info.norm).collect())
            .unwrap_or_default();
        // Each slot found, with the weight of the lists it was found in: a shared pair of
        // names says more than a shared single name.
        let mut found: Vec<(u32, u32)> = Vec::new();
        for pair in &keys.pairs {
            found.extend(list(&pair.key).iter().take(budget).map(|&s| (s, 3)));
        }
        // A one-word query has its token; a longer one reads single tokens when they are
        // rare, as a net for a record whose other word is spelled beyond recognition.
        for k in &keys.tokens {
            let l = list(k);
            if words.len() == 1 || l.len() <= self.config.max_block {
                found.extend(l.iter().take(budget).map(|&s| (s, 1)));
            }
        }
        // The word still being typed, the last one unless a space followed it, when no name
        // is spelled so: the names it begins (not a full scan of the register: the distinct
        // names, then their posting lists). An unknown word before it was finished by its
        // typist, and is a misspelling for the matcher, not a beginning.
        let typing = !text.ends_with(char::is_whitespace);
        let partial: Vec<&str> = words
            .last()
            .copied()
            .filter(|w| typing && w.len() >= 2 && !self.interner.contains(w))
            .into_iter()
            .collect();
        for w in &partial {
            for info in self.interner.starting_with(w).take(PREFIX_TOKENS) {
                for k in blocking::token_keys(info) {
                    found.extend(list(&k).iter().take(budget / 4).map(|&s| (s, 2)));
                }
            }
        }
        found.sort_unstable();
        let mut slots: Vec<(u32, u32)> = Vec::with_capacity(found.len());
        for (slot, w) in found {
            match slots.last_mut() {
                Some(last) if last.0 == slot => last.1 += w,
                _ => slots.push((slot, w)),
            }
        }
        // Scoring is the expensive part (thousands of namesakes share a common pair): only
        // the best-placed candidates are scored, by list weight and then by how many of the
        // typed names they spell exactly.
        if slots.len() > SEARCH_SCORED {
            let exact: Vec<u64> = query.all_tokens().map(|t| t.info.norm_hash).collect();
            let mut ranked: Vec<(u32, u32)> = slots
                .iter()
                .filter_map(|&(slot, w)| {
                    let p = self.profile(slot)?;
                    let same = p
                        .all_tokens()
                        .filter(|t| exact.contains(&t.info.norm_hash))
                        .count() as u32;
                    Some((slot, w * 8 + same))
                })
                .collect();
            ranked.select_nth_unstable_by(SEARCH_SCORED - 1, |a, b| b.1.cmp(&a.1));
            ranked.truncate(SEARCH_SCORED);
            slots = ranked;
        }
        let mut hits: Vec<NameHit> = slots
            .into_iter()
            .filter_map(|(s, _)| {
                let p = self.profile(s)?;
                let names = crate::names::compare(&query, p, &self.freq).best;
                let begun = partial
                    .iter()
                    .filter(|w| p.all_tokens().any(|t| t.info.norm.starts_with(**w)))
                    .count();
                let agree = if names.agreeing() > 0 {
                    names.bits.max(0.0)
                } else {
                    0.0
                };
                let score = agree + PREFIX_CREDIT * begun as f64;
                (score > 0.0).then(|| NameHit {
                    id: p.id.to_string(),
                    score,
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        hits.truncate(limit);
        hits
    }

    /// Collect the slots that share a blocking key with `query` (sorted, without repeats).
    pub(crate) fn gather(&self, query: &Profile, out: &mut Vec<u32>) {
        let keys = blocking::keys(query);
        let cap = self.config.max_block;
        let budget = self.config.max_candidates;
        let list = |k: &u64| self.postings.get(k).map(Vec::as_slice).unwrap_or(&[]);

        // Identifiers always; phones only when not shared by a crowd.
        for k in &keys.exact {
            out.extend(list(k).iter().take(budget));
        }
        for k in &keys.dates {
            let l = list(k);
            if l.len() <= cap {
                out.extend(l);
            }
        }
        for pair in &keys.pairs {
            if out.len() >= budget {
                break;
            }
            let l = list(&pair.key);
            if l.len() <= cap {
                out.extend(l);
            } else {
                for yk in keys.year_keys(pair) {
                    out.extend(list(&yk).iter().take(cap));
                }
            }
        }
        // Single tokens: only rare ones (a twentieth of the block limit), as a net for names
        // whose other tokens are spelled too differently.
        for k in &keys.tokens {
            if out.len() >= budget {
                break;
            }
            let l = list(k);
            if l.len() <= cap / 20 {
                out.extend(l);
            }
        }
        out.sort_unstable();
        out.dedup();
        out.truncate(budget);
    }
}

impl Census for Index {
    fn namesakes(&self, key: u64, names: &[u64]) -> usize {
        let Some(list) = self.postings.get(&key) else {
            return 0;
        };
        // Slots of removed persons stay in posting lists until reused: skip them.
        list.iter()
            .filter_map(|&s| self.profile(s))
            .filter(|p| names.iter().all(|k| p.weight_keys.binary_search(k).is_ok()))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BirthDate, IdKind};

    fn search_index() -> Index {
        let mut index = Index::new();
        index.insert(&Person::new("1", "Mohammad Rakibul", "Islam"));
        index.insert(&Person::new("2", "Muhammad", "Hossain"));
        index.insert(&Person::new("3", "Fatima", "Zahra"));
        index.insert(&Person::new("4", "Mohamed", "Ahmed"));
        index.insert(&Person::new("5", "Ahmed", "Diallo"));
        for i in 0..1_500 {
            // A crowd of namesakes: more than a posting list the duplicate check reads.
            index.insert(&Person::new(format!("a{i}"), "Ahmed", "Ali"));
        }
        index
    }

    fn ids(hits: &[NameHit]) -> Vec<&str> {
        hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn a_name_search_finds_other_spellings_in_either_order_best_first() {
        let index = search_index();
        let hits = index.search("Mohamed Hussein", 10);
        assert_eq!(ids(&hits).first(), Some(&"2"), "{hits:?}");
        let hits = index.search("islam rakibul", 10);
        assert_eq!(ids(&hits).first(), Some(&"1"), "{hits:?}");
        let hits = index.search("Mohamed Ahmed", 10);
        assert_eq!(ids(&hits).first(), Some(&"4"), "{hits:?}");
        assert!(index.search("Zhang Wei", 10).is_empty());
    }

    #[test]
    fn a_common_name_alone_still_lists_its_records() {
        let index = search_index();
        let hits = index.search("Diallo", 10);
        assert_eq!(ids(&hits).first(), Some(&"5"), "{hits:?}");
        let hits = index.search("Ahmed", 50);
        assert_eq!(hits.len(), 50, "the crowd of Ahmeds is not dropped");
        let hits = index.search("Ahmed Ali", 20);
        assert_eq!(hits.len(), 20);
        assert!(hits.iter().all(|h| h.id.starts_with('a')), "{hits:?}");
    }

    #[test]
    fn a_word_being_typed_finds_the_names_it_begins() {
        let index = search_index();
        let hits = index.search("Fati", 10);
        assert_eq!(ids(&hits).first(), Some(&"3"), "{hits:?}");
        let hits = index.search("Rakibul Isl", 10);
        assert_eq!(ids(&hits).first(), Some(&"1"), "{hits:?}");
    }

    #[test]
    fn only_the_last_word_still_being_typed_counts_as_a_beginning() {
        let index = search_index();
        // "Fati" finished (a space after it) or followed by another word is a word of its
        // own, which no name spells: Fatima Zahra is not found through it.
        assert!(index.search("Fati ", 10).is_empty());
        assert!(index.search("Fati Rakibul", 10).iter().all(|h| h.id != "3"));
        let hits = index.search("Zahra Fati", 10);
        assert_eq!(ids(&hits).first(), Some(&"3"), "{hits:?}");
    }

    #[test]
    fn candidates_are_ranked_and_exclude_the_query_itself() {
        let mut index = Index::new();
        index.insert(
            &Person::new("1", "Rakibul", "Islam").with_birth(BirthDate::ymd(2007, 5, 3).unwrap()),
        );
        index.insert(&Person::new("2", "Rakibul", "Islam").with_birth(BirthDate::year_only(2007)));
        index.insert(&Person::new("3", "Fatima", "Zahra"));
        let q =
            Person::new("1", "Rakibul", "Islam").with_birth(BirthDate::ymd(2007, 5, 3).unwrap());
        let c = index.candidates(&q, 10);
        assert_eq!(c.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["2"]);
        let q =
            Person::new("new", "Rakibul", "Islam").with_birth(BirthDate::ymd(2007, 5, 3).unwrap());
        let c = index.candidates(&q, 10);
        assert_eq!(
            c.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert!(c[0].matched.score > c[1].matched.score);
    }

    #[test]
    fn replace_and_remove() {
        let mut index = Index::new();
        index.insert(&Person::new("1", "Rakibul", "Islam"));
        index.insert(&Person::new("1", "Yonas", "Tekle").with_identifier(IdKind::Cui, "87654321"));
        assert_eq!(index.len(), 1);
        let q = Person::new("q", "Rakibul", "Islam");
        assert!(index.candidates(&q, 10).is_empty());
        let q = Person::new("q", "X", "Y").with_identifier(IdKind::Cui, "87654321");
        assert_eq!(index.candidates(&q, 10).len(), 1);
        assert!(index.remove("1"));
        assert!(!index.remove("1"));
        assert!(index.candidates(&q, 10).is_empty());
        assert!(index.is_empty());
    }

    #[test]
    fn index_is_shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Index>();
    }

    /// A plausibility run, not a benchmark (no timing assertion): 20,000 synthetic persons
    /// indexed, 200 lookups of re-registrations. Prints the elapsed times with
    /// `cargo test -p namematch --release -- --nocapture index_of_20000`.
    #[test]
    fn index_of_20000_synthetic_persons_answers_lookups() {
        use crate::synth::{Rng, population, variant_of};
        let persons = population(20_000, 1);
        let started = std::time::Instant::now();
        let mut index = Index::new();
        for p in &persons {
            index.insert(p);
        }
        let built = started.elapsed();
        assert_eq!(index.len(), 20_000);
        let mut rng = Rng::new(5);
        let started = std::time::Instant::now();
        let mut found = 0;
        for q in 0..200 {
            let src = &persons[rng.below(persons.len())];
            let query = variant_of(&mut rng, src, 1_000_000 + q);
            let c = index.candidates(&query, 50);
            assert!(c.len() <= 50);
            found += usize::from(c.iter().any(|c| c.id == src.id));
        }
        let looked = started.elapsed();
        println!(
            "20,000 inserted in {built:?}; 200 lookups in {looked:?}; source found {found}/200"
        );
        // Re-registrations are found nearly always (misses are ties among identical records).
        assert!(found >= 180, "{found}");
    }
}
