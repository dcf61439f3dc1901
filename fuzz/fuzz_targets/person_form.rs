//! A person form as the browser sends it (URL-encoded), decoded into the store's input and
//! checked: never a panic, and whatever passes the checks is trimmed, non-empty where
//! required, within its limits and free of control characters.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_urlencoded::from_bytes::<store::people::PersonInput>(data) else {
        return;
    };
    let Ok(v) = input.check() else {
        return;
    };
    for name in [&v.given_names, &v.family_name] {
        assert!(!name.is_empty());
        assert_eq!(name.trim(), name.as_str());
        assert!(!name.chars().any(char::is_control));
    }
    if let Some(b) = v.birth {
        assert!((1900..=2100).contains(&b.year));
    }
});
