//! The presences import reads whatever a centre uploads: it must never panic, number every
//! bad line within the file, and only let through lines that are in range.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(today) = chrono::NaiveDate::from_ymd_opt(2026, 11, 26) else {
        return;
    };
    let Ok((lines, errors)) = store::centres::parse_presences_csv(text, today) else {
        return;
    };
    // Records are numbered from the header (line 1); there are no more than terminators.
    let most = text.matches(['\n', '\r']).count() + 2;
    for l in &lines {
        assert!(l.day <= today);
        assert!((0..=5000).contains(&l.male) && (0..=5000).contains(&l.female));
        assert!(l.line >= 2 && l.line <= most);
    }
    for e in &errors {
        assert!(e.line >= 2 && e.line <= most);
    }
});
