//! Fuzz the text entry points: normalisation, phonetic keys and the parsers must never
//! panic, and normalisation must stay idempotent with clean output.
//!
//! Run with `fuzz/run.sh` from the repository root (cargo-fuzz on the stable toolchain).

#![no_main]

use libfuzzer_sys::fuzz_target;
use namematch::{
    BirthDate, Person, compare, country, name_key, normalise_identifier, normalise_name,
    normalise_phone,
};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let n = normalise_name(s);
    assert!(
        n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
    );
    assert!(!n.contains("  "));
    assert_eq!(normalise_name(&n), n);
    assert_eq!(name_key(&n), name_key(s));
    let _ = BirthDate::parse(s);
    let _ = country::lookup(s);
    let _ = normalise_phone(s);
    let _ = normalise_identifier(s);
    // The whole pipeline on the same text as a name, an original-script name and an alias.
    let (left, right) = s.split_at(
        s.char_indices()
            .nth(s.chars().count() / 2)
            .map_or(s.len(), |(i, _)| i),
    );
    let a = Person::new("a", left, right)
        .with_original(s)
        .with_alias(right);
    let b = Person::new("b", right, left);
    let m = compare(&a, &b);
    assert!((0.0..=1.0).contains(&m.score));
});
