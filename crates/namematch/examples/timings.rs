//! Rough timings on a synthetic population shaped like the programme's registers.
//!
//! ```text
//! cargo run --release -p namematch --features synth --example timings            # 100k + 1M
//! cargo run --release -p namematch --features synth --example timings -- 100000 0  # skip 1M
//! ```
//! Arguments: register size for insert and dedup (default 100,000), index size for lookups
//! (default 1,000,000; 0 skips).

use std::time::Instant;

use std::collections::HashSet;

use namematch::synth::{Rng, population, population_with_truth, variant_of};
use namematch::{Decision, DedupOptions, Index, dedup_with};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let big = args.get(1).copied().unwrap_or(1_000_000);

    let (persons, truth) = population_with_truth(n, 42);
    let t = Instant::now();
    let mut index = Index::new();
    for p in &persons {
        index.insert(p);
    }
    println!("insert {n}: {:.2} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    // Pairs worth a look in a register-wide report: a little above the "possible" default.
    let threshold = 0.2;
    let opts = DedupOptions {
        threshold,
        ..DedupOptions::default()
    };
    let pairs = dedup_with(&persons, &opts, None);
    let same = pairs
        .iter()
        .filter(|p| p.matched.decision == Decision::Same)
        .count();
    println!(
        "dedup {n} ({} threads): {:.2} s, {} pairs ≥ {threshold}, {} Same",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        t.elapsed().as_secs_f64(),
        pairs.len(),
        same
    );
    drop(index);
    quality(&persons, &truth, &pairs);

    if big == 0 {
        return;
    }
    let persons = population(big, 7);
    let t = Instant::now();
    let mut index = Index::new();
    for p in &persons {
        index.insert(p);
    }
    println!("insert {big}: {:.2} s", t.elapsed().as_secs_f64());
    let mut rng = Rng::new(99);
    let mut times = Vec::new();
    let mut found = 0usize;
    for q in 0..1_000 {
        let src = &persons[rng.below(persons.len())];
        let query = variant_of(&mut rng, src, big + q);
        let t = Instant::now();
        let c = index.candidates(&query, 20);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found += usize::from(c.iter().any(|c| c.id == src.id));
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "lookup in {big}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; source record found in {found}/1000",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}

/// Precision and recall of the decisions against the generator's truth (which records
/// re-register which). The synthetic name pools are small, so coincidences between different
/// people are far more frequent than in a real register: read these as a floor.
fn quality(
    persons: &[namematch::Person],
    truth: &[Option<usize>],
    pairs: &[namematch::DuplicatePair],
) {
    let root = |mut i: usize| {
        while let Some(s) = truth[i] {
            i = s;
        }
        i
    };
    let index: std::collections::HashMap<&str, usize> = persons
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut sizes: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for i in 0..persons.len() {
        *sizes.entry(root(i)).or_default() += 1;
    }
    let true_pairs: usize = sizes.values().map(|c| c * (c - 1) / 2).sum();
    let (mut same_right, mut same_wrong, mut possible_right) = (0usize, 0usize, 0usize);
    let mut found = HashSet::new();
    for p in pairs {
        let (a, b) = (index[p.id_a.as_str()], index[p.id_b.as_str()]);
        let right = root(a) == root(b);
        if right {
            found.insert((a.min(b), a.max(b)));
        }
        match (p.matched.decision, right) {
            (Decision::Same, true) => same_right += 1,
            (Decision::Same, false) => same_wrong += 1,
            (Decision::Possible, true) => possible_right += 1,
            _ => {}
        }
    }
    println!(
        "quality: {true_pairs} true pairs; Same: {same_right} right, {same_wrong} wrong (precision {:.3}); \
         Possible: {possible_right} more true pairs; recall at the dedup threshold {:.3}",
        same_right as f64 / (same_right + same_wrong).max(1) as f64,
        found.len() as f64 / true_pairs.max(1) as f64
    );
}
