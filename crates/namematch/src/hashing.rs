//! Small, fast, deterministic hashing for blocking keys and frequency tables.
//!
//! Keys are hashed once to a `u64` (FNV-1a over their bytes, then a final mix) and the maps
//! below use that value as is. This keeps posting lists keyed by 8 bytes instead of strings,
//! which matters at a million persons; a rare collision only merges two posting lists, and
//! every candidate is scored afterwards, so it can cost time but never a wrong answer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bits, incremental.
#[derive(Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl KeyHasher {
    pub(crate) fn new(tag: u8) -> Self {
        let mut h = KeyHasher(0xcbf2_9ce4_8422_2325);
        h.byte(tag);
        h
    }

    pub(crate) fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        for &b in bytes {
            self.byte(b);
        }
        // A separator, so that ("ab", "c") and ("a", "bc") hash differently.
        self.byte(0xff);
        self
    }

    pub(crate) fn number(&mut self, n: u64) -> &mut Self {
        self.bytes(&n.to_le_bytes())
    }

    pub(crate) fn finish(&self) -> u64 {
        mix(self.0)
    }
}

/// Hash of one byte string under a tag.
pub(crate) fn hash_bytes(tag: u8, bytes: &[u8]) -> u64 {
    let mut h = KeyHasher::new(tag);
    h.bytes(bytes);
    h.finish()
}

/// The finaliser of SplitMix64: spreads FNV's weak low bits over the whole word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A `Hasher` for maps whose keys are already well-mixed `u64` hashes.
#[derive(Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys other than u64; fold them in so the map stays correct.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by pre-hashed `u64` values.
pub(crate) type U64Map<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_keep_concatenations_apart() {
        let mut a = KeyHasher::new(1);
        a.bytes(b"ab").bytes(b"c");
        let mut b = KeyHasher::new(1);
        b.bytes(b"a").bytes(b"bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn tags_separate_key_kinds() {
        assert_ne!(hash_bytes(1, b"x"), hash_bytes(2, b"x"));
        assert_eq!(hash_bytes(1, b"x"), hash_bytes(1, b"x"));
    }
}
