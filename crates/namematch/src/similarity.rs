//! Jaro–Winkler similarity on short byte strings, without allocation.
//!
//! Name tokens are short (at most `tokens::MAX_TOKEN_LEN` bytes), and this runs for every
//! token pair of every candidate, so it works on stack buffers instead of the heap-allocating
//! implementations of general-purpose crates. Symbols are compared with
//! `phonetic::symbols_equal`, so the ambiguous `J` matches `g` and `y` here too.

use crate::phonetic::symbols_equal;

const MAX: usize = 64;

/// Jaro similarity in [0, 1].
pub(crate) fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let a = &a[..a.len().min(MAX)];
    let b = &b[..b.len().min(MAX)];
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_used = [false; MAX];
    let mut b_used = [false; MAX];
    let mut matches = 0usize;
    for (i, &x) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && symbols_equal(x, b[j]) {
                a_used[i] = true;
                b_used[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &x) in a.iter().enumerate() {
        if !a_used[i] {
            continue;
        }
        while !b_used[j] {
            j += 1;
        }
        if !symbols_equal(x, b[j]) {
            transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let t = (transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// Jaro–Winkler similarity in [0, 1]: Jaro with a bonus for a common prefix of up to four
/// symbols (names that start alike are more often the same name).
pub(crate) fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let j = jaro(a, b);
    let prefix = a
        .iter()
        .zip(b)
        .take(4)
        .take_while(|(x, y)| symbols_equal(**x, **y))
        .count();
    (j + prefix as f64 * 0.1 * (1.0 - j)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((jaro(b"martha", b"marhta") - 0.944_444).abs() < 1e-5);
        assert!((jaro_winkler(b"martha", b"marhta") - 0.961_111).abs() < 1e-5);
        assert!((jaro_winkler(b"dixon", b"dicksonx") - 0.813_333).abs() < 1e-5);
        assert_eq!(jaro_winkler(b"abc", b"abc"), 1.0);
        assert_eq!(jaro_winkler(b"abc", b"xyz"), 0.0);
        assert_eq!(jaro_winkler(b"", b""), 1.0);
        assert_eq!(jaro_winkler(b"", b"a"), 0.0);
    }

    #[test]
    fn symmetric() {
        for (a, b) in [
            (&b"rakibul"[..], &b"rakibol"[..]),
            (b"mahamad", b"mahmad"),
            (b"a", b"ab"),
        ] {
            assert_eq!(jaro_winkler(a, b), jaro_winkler(b, a));
        }
    }
}
