//! # namematch — person matching for SPRInt
//!
//! Pure Rust, no I/O: name normalisation across scripts, phonetic keys, blocking, scoring,
//! deduplication. Used by the people register (likely existing matches before creating a
//! person), by `sprint dedup` (duplicate pairs in a whole register) and by lookups of one
//! person against an index of up to a million.
//!
//! ```
//! use namematch::{BirthDate, Decision, Index, Person, Reason};
//!
//! let mut index = Index::new();
//! index.insert(&Person::new("p1", "Mohammad Rakibul", "Islam")
//!     .with_birth(BirthDate::parse("2007-05-03").unwrap().unwrap())
//!     .with_nationality("BD"));
//!
//! let new = Person::new("", "Md Rakibul", "Islam")
//!     .with_birth(BirthDate::parse("03/05/2007").unwrap().unwrap())
//!     .with_nationality("Bangladesh");
//! let found = index.candidates(&new, 10);
//! assert_eq!(found[0].id, "p1");
//! assert_eq!(found[0].matched.decision, Decision::Same);
//! assert!(found[0].matched.has(Reason::BirthDateEqual));
//! ```
//!
//! How it works, module by module: `translit` and `normalise` bring any script to lowercase
//! ASCII words; `tokens` expands abbreviations, joins `abd` compounds and sets particles
//! aside; `phonetic` computes each token's vowel-collapsed key and consonant skeleton;
//! `names` aligns the tokens of two names; `weights` says how much a shared token or phone
//! is worth; `birth`, `country` and `ident` read dates, nationalities, identifiers and
//! phones; `score` adds the evidence up; `blocking` and `index` find the candidates worth
//! scoring; `dedup` runs the whole register. See README.md for the scoring model.

mod birth;
mod blocking;
pub mod country;
mod dedup;
mod distinct;
mod hashing;
mod ident;
mod index;
mod names;
mod normalise;
mod person;
mod phonetic;
mod profile;
mod score;
mod similarity;
#[cfg(any(test, feature = "synth"))]
pub mod synth;
mod tokens;
mod translit;
mod weights;

pub use birth::{BirthDate, BirthDateError, Precision};
pub use country::{is_tcn, lookup as lookup_country};
pub use dedup::{DedupOptions, DuplicatePair, clusters, dedup, dedup_with};
pub use ident::{normalise_identifier, normalise_phone};
pub use index::{Candidate, Index, NameHit};
pub use normalise::normalise_name;
pub use person::{IdKind, Person, Sex};
pub use phonetic::name_key;
pub use score::{Config, Decision, Match, Reason};

/// Compare two persons with the built-in name frequencies and the default thresholds. Use
/// [`Index::compare`] to weigh names by the frequencies of an actual register.
///
/// ```
/// use namematch::{compare, Decision, IdKind, Person};
/// let a = Person::new("a", "Mohamed", "Ahmed").with_identifier(IdKind::Passport, "A1234567");
/// let b = Person::new("b", "Ahmed", "Mohamed").with_identifier(IdKind::Passport, "a-123 4567");
/// let m = compare(&a, &b);
/// assert_eq!(m.score, 1.0);
/// assert_eq!(m.decision, Decision::Same);
/// ```
pub fn compare(a: &Person, b: &Person) -> Match {
    let mut lookup = profile::Lookup(None);
    let pa = profile::Profile::build(a, &mut lookup);
    let pb = profile::Profile::build(b, &mut lookup);
    score::compare(
        &pa,
        &pb,
        &weights::Frequencies::default(),
        &blocking::Unindexed,
        &Config::default(),
    )
}
