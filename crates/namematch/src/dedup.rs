//! Deduplication of a whole register: every pair of likely duplicates, found through the
//! blocking keys (never all n² pairs), scored in parallel.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::index::Index;
use crate::person::Person;
use crate::score::{Config, Match};

/// A pair of records that may be one person. `id_a` comes before `id_b` in the input.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct DuplicatePair {
    pub id_a: String,
    pub id_b: String,
    pub matched: Match,
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

    let mut pairs: Vec<DuplicatePair> = std::thread::scope(|scope| {
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
                                found.push(DuplicatePair {
                                    id_a: persons[i].id.clone(),
                                    id_b: persons[j as usize].id.clone(),
                                    matched: m,
                                });
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
    pairs.sort_by(|a, b| {
        b.matched
            .score
            .total_cmp(&a.matched.score)
            .then_with(|| a.id_a.cmp(&b.id_a))
            .then_with(|| a.id_b.cmp(&b.id_b))
    });
    pairs
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
    fn empty_input() {
        assert!(dedup(&[], 0.5).is_empty());
        assert!(clusters(&[]).is_empty());
    }
}
