//! Deduplication of a whole register: every pair of likely duplicates, found through the
//! blocking keys (never all n² pairs), scored in parallel.
//!
//! Two records that are each the same person as a third are the same person too, even when
//! they share too little to say so on their own (one gave a phone, the other a birth date,
//! the third both). Such pairs are reported as "Same" with the records in between
//! (`DuplicatePair::via`), unless their own comparison rules one person out (birth years
//! apart, another sex, another CUI, names with nothing in common) or the group is too large
//! to be one person's registrations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::index::Index;
use crate::person::Person;
use crate::score::{Config, Decision, Match, Reason};

/// A pair of records that may be one person. `id_a` comes before `id_b` in the input.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct DuplicatePair {
    pub id_a: String,
    pub id_b: String,
    /// The pair's own comparison; for a pair joined through other records, with the decision
    /// "Same" and the score of the weakest link between them.
    pub matched: Match,
    /// Empty when the pair's own comparison makes it "Same" (or "Possible"). Otherwise the
    /// records through which it is one person: `id_a` is the same as `via[0]`, which is the
    /// same as the next… and the last is the same as `id_b`.
    pub via: Vec<String>,
}

impl DuplicatePair {
    pub fn score(&self) -> f64 {
        self.matched.score
    }
}

/// Options of [`dedup_with`].
#[derive(Clone, Debug)]
pub struct DedupOptions {
    /// Pairs scoring at least this are reported.
    pub threshold: f64,
    /// Thresholds for the decisions and blocking limits.
    pub config: Config,
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
}

impl Default for DedupOptions {
    fn default() -> Self {
        let config = Config::default();
        DedupOptions {
            threshold: config.possible,
            config,
            threads: 0,
        }
    }
}

/// Every pair of `persons` scoring at least `threshold`, best first.
pub fn dedup(persons: &[Person], threshold: f64) -> Vec<DuplicatePair> {
    dedup_with(
        persons,
        &DedupOptions {
            threshold,
            ..DedupOptions::default()
        },
        None,
    )
}

/// Like [`dedup`], with options and a progress callback. `progress(done, total)` is called
/// from the worker threads every 1,000 persons and once at the end.
pub fn dedup_with(
    persons: &[Person],
    options: &DedupOptions,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Vec<DuplicatePair> {
    let mut index = Index::with_config(options.config.clone());
    for p in persons {
        index.append(p);
    }
    let total = persons.len();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, total.max(1));
    let done = AtomicUsize::new(0);
    let index = &index;
    let done = &done;

    let mut pairs: Vec<(usize, usize, DuplicatePair)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut found = Vec::new();
                    let mut slots = Vec::new();
                    // Interleaved rows balance the work: early rows compare against more.
                    for i in (t..total).step_by(threads) {
                        let Some(pa) = index.profile(i as u32) else {
                            continue;
                        };
                        slots.clear();
                        index.gather(pa, &mut slots);
                        for &j in slots.iter().filter(|&&j| j as usize > i) {
                            let Some(pb) = index.profile(j) else { continue };
                            let m = index.compare_profiles(pa, pb);
                            if m.score >= options.threshold {
                                found.push((
                                    i,
                                    j as usize,
                                    DuplicatePair {
                                        id_a: persons[i].id.clone(),
                                        id_b: persons[j as usize].id.clone(),
                                        matched: m,
                                        via: Vec::new(),
                                    },
                                ));
                            }
                        }
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if let Some(f) = progress
                            && (n.is_multiple_of(1_000) || n == total)
                        {
                            f(n, total);
                        }
                    }
                    found
                })
            })
            .collect();
        // A worker only panics on a bug; its pairs are then missing rather than the whole run.
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    debug_assert!(index.slot_count() == total);
    join_through_others(index, persons, &mut pairs);
    let mut pairs: Vec<DuplicatePair> = pairs.into_iter().map(|(_, _, p)| p).collect();
    pairs.sort_by(|a, b| {
        b.matched
            .score
            .total_cmp(&a.matched.score)
            .then_with(|| a.id_a.cmp(&b.id_a))
            .then_with(|| a.id_b.cmp(&b.id_b))
    });
    pairs
}

/// Groups of more records than this are not joined through others: one person is not
/// registered that often, and such a group is a chain of pairs (through a placeholder
/// identifier, say) that joining would turn into many wrong pairs.
const MAX_JOINED_GROUP: usize = 20;

/// Adds the pairs of records that are one person through others: in each group of records
/// joined by "Same" pairs (at most `MAX_JOINED_GROUP`), every two records not already
/// "Same", by a shortest chain of "Same" pairs, when their own comparison does not rule one
/// person out. Such a pair takes the score of the weakest link of the chain (the pairs of a
/// chain all passed the threshold). Pairs come with the input positions of their records
/// (`a` < `b`): ids may repeat in the input, positions are what the index knows.
fn join_through_others(
    index: &Index,
    persons: &[Person],
    pairs: &mut Vec<(usize, usize, DuplicatePair)>,
) {
    let mut links: HashMap<usize, Vec<(usize, f64)>> = HashMap::new();
    let mut found: HashMap<(usize, usize), usize> = HashMap::new();
    for (k, (a, b, p)) in pairs.iter().enumerate() {
        let (a, b) = (*a, *b);
        found.insert((a, b), k);
        if p.matched.decision == Decision::Same {
            links.entry(a).or_default().push((b, p.matched.score));
            links.entry(b).or_default().push((a, p.matched.score));
        }
    }
    for list in links.values_mut() {
        list.sort_by_key(|x| x.0);
    }
    let mut starts: Vec<usize> = links.keys().copied().collect();
    starts.sort_unstable();
    // Records of groups too large to be one person's registrations: left as they are.
    let mut too_large: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for &a in &starts {
        if too_large.contains(&a) {
            continue;
        }
        // Breadth-first from `a`: each record reached, with the record it was reached from.
        let mut from: HashMap<usize, usize> = HashMap::from([(a, a)]);
        let mut queue = std::collections::VecDeque::from([a]);
        while let Some(x) = queue.pop_front() {
            for &(y, _) in &links[&x] {
                if let std::collections::hash_map::Entry::Vacant(e) = from.entry(y) {
                    e.insert(x);
                    queue.push_back(y);
                }
            }
        }
        if from.len() > MAX_JOINED_GROUP {
            too_large.extend(from.keys());
            continue;
        }
        let mut reached: Vec<usize> = from.keys().copied().filter(|&b| b > a).collect();
        reached.sort_unstable();
        for b in reached {
            let known = found.get(&(a, b)).copied();
            if known.is_some_and(|k| pairs[k].2.matched.decision == Decision::Same) {
                continue;
            }
            let (Some(pa), Some(pb)) = (index.profile(a as u32), index.profile(b as u32)) else {
                continue;
            };
            let (mut m, possible) = index.assess_profiles(pa, pb);
            if !possible || m.decision == Decision::Different {
                continue;
            }
            // The chain from `b` back to `a`, and its weakest link.
            let mut via = Vec::new();
            let mut weakest = 1.0_f64;
            let mut x = b;
            while x != a {
                let prev = from[&x];
                let link = links[&x]
                    .iter()
                    .find(|(y, _)| *y == prev)
                    .map_or(0.0, |(_, s)| *s);
                weakest = weakest.min(link);
                if prev != a {
                    via.push(persons[prev].id.clone());
                }
                x = prev;
            }
            via.reverse();
            m.score = weakest;
            m.decision = Decision::Same;
            m.reasons.retain(|r| *r != Reason::CommonNameOnly);
            let pair = DuplicatePair {
                id_a: persons[a].id.clone(),
                id_b: persons[b].id.clone(),
                matched: m,
                via,
            };
            match known {
                Some(k) => pairs[k].2 = pair,
                None => {
                    found.insert((a, b), pairs.len());
                    pairs.push((a, b, pair));
                }
            }
        }
    }
}

/// Group duplicate pairs into clusters of ids (connected components), each cluster sorted,
/// largest first. Use pairs at the "Same" threshold: chaining "Possible" pairs joins
/// different people.
pub fn clusters(pairs: &[DuplicatePair]) -> Vec<Vec<String>> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut parent: Vec<usize> = Vec::new();
    for p in pairs {
        for id in [p.id_a.as_str(), p.id_b.as_str()] {
            if !ids.contains_key(id) {
                ids.insert(id, names.len());
                names.push(id);
                parent.push(names.len() - 1);
            }
        }
    }
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for p in pairs {
        let (a, b) = (ids[p.id_a.as_str()], ids[p.id_b.as_str()]);
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: HashMap<usize, Vec<String>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push((*name).to_owned());
    }
    let mut out: Vec<Vec<String>> = groups.into_values().collect();
    for g in &mut out {
        g.sort();
    }
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BirthDate, IdKind};

    #[test]
    fn finds_duplicates_and_clusters_them() {
        let persons = vec![
            Person::new("a", "Mohamed", "Ahmed").with_identifier(IdKind::Cui, "11112222"),
            Person::new("b", "Yonas", "Tekle").with_birth(BirthDate::ymd(2006, 4, 12).unwrap()),
            Person::new("c", "Muhammad", "Ahmad").with_identifier(IdKind::Cui, "1111 2222"),
            Person::new("d", "Tekle", "Yonas").with_birth(BirthDate::ymd(2006, 4, 12).unwrap()),
            Person::new("e", "Fatima", "Zahra"),
            Person::new("f", "Mohamed", "Ahmed Ali")
                .with_identifier(IdKind::Passport, "A1234567")
                .with_identifier(IdKind::Cui, "11112222"),
        ];
        let calls = AtomicUsize::new(0);
        let progress = |_: usize, _: usize| {
            calls.fetch_add(1, Ordering::Relaxed);
        };
        let opts = DedupOptions {
            threshold: 0.95,
            threads: 2,
            ..DedupOptions::default()
        };
        let pairs = dedup_with(&persons, &opts, Some(&progress));
        let ids: Vec<(&str, &str)> = pairs
            .iter()
            .map(|p| (p.id_a.as_str(), p.id_b.as_str()))
            .collect();
        assert!(ids.contains(&("a", "c")));
        assert!(ids.contains(&("a", "f")));
        assert!(ids.contains(&("c", "f")));
        assert!(ids.contains(&("b", "d")));
        assert_eq!(ids.len(), 4);
        assert!(calls.load(Ordering::Relaxed) >= 1);
        let groups = clusters(&pairs);
        assert_eq!(
            groups,
            vec![
                vec!["a".to_owned(), "c".into(), "f".into()],
                vec!["b".to_owned(), "d".into()]
            ]
        );
    }

    #[test]
    fn chains_are_joined_unless_too_long_to_be_one_person() {
        // Record i shares a passport with record i + 1 only: a chain.
        let chain = |n: usize| -> Vec<Person> {
            (0..n)
                .map(|i| {
                    Person::new(format!("r{i}"), "Yonas", "Tekle")
                        .with_identifier(IdKind::Passport, format!("AB{:07}", 1_000 * i))
                        .with_identifier(IdKind::Passport, format!("AB{:07}", 1_000 * (i + 1)))
                })
                .collect()
        };
        let pairs = dedup(&chain(5), 0.95);
        assert_eq!(pairs.len(), 10);
        let joined = pairs.iter().find(|p| p.id_a == "r0" && p.id_b == "r4");
        assert_eq!(
            joined.map(|p| p.via.clone()),
            Some(vec!["r1".to_owned(), "r2".into(), "r3".into()])
        );
        let n = MAX_JOINED_GROUP + 5;
        assert_eq!(dedup(&chain(n), 0.95).len(), n - 1);
    }

    #[test]
    fn empty_input() {
        assert!(dedup(&[], 0.5).is_empty());
        assert!(clusters(&[]).is_empty());
    }
}
