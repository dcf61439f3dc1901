//! Encryption at rest of special-category data (vulnerabilities, health, age assessment
//! details). XChaCha20-Poly1305 with a random 192-bit nonce per value; each stored value
//! names the key it was sealed with, so keys can rotate: new values use the current key,
//! old values stay readable as long as their key is in the ring. The row a value belongs
//! to is bound as associated data, so a ciphertext copied onto another row fails to open.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Nonce, Payload};
use domain::{Error, Result};

const NONCE_LEN: usize = 24;

pub struct Keyring {
    current: String,
    keys: HashMap<String, XChaCha20Poly1305>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        write!(
            f,
            "Keyring(current: {}, keys: {})",
            self.current,
            self.keys.len()
        )
    }
}

/// A new random key, base64-encoded, for a key file.
pub fn generate_key() -> String {
    use rand::RngCore;
    let mut k = [0u8; 32];
    rand::rng().fill_bytes(&mut k);
    B64.encode(k)
}

impl Keyring {
    /// Builds a ring from `id:base64key` entries (or a bare base64 key, id `k1`). The first
    /// entry is the current key.
    pub fn from_spec(spec: &str) -> Result<Keyring, String> {
        let mut keys = HashMap::new();
        let mut current = None;
        for (i, entry) in spec
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty() && !e.starts_with('#'))
            .enumerate()
        {
            let (id, b64) = match entry.split_once(':') {
                Some((id, k)) => (id.trim().to_string(), k.trim()),
                None => (format!("k{}", i + 1), entry),
            };
            let bytes = B64
                .decode(b64)
                .map_err(|_| format!("encryption key {id} is not valid base64"))?;
            let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
                .map_err(|_| format!("encryption key {id} must be 32 bytes"))?;
            if current.is_none() {
                current = Some(id.clone());
            }
            keys.insert(id, cipher);
        }
        let current = current.ok_or("no encryption key given")?;
        Ok(Keyring { current, keys })
    }

    /// Seals `plaintext` for the row named by `aad`: `v1:<key id>:<base64(nonce‖ciphertext)>`.
    pub fn seal(&self, aad: &str, plaintext: &[u8]) -> Result<String> {
        let cipher = self
            .keys
            .get(&self.current)
            .ok_or_else(|| Error::internal("current key missing"))?;
        let nonce = Nonce::<XChaCha20Poly1305>::generate();
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| Error::internal("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("v1:{}:{}", self.current, B64.encode(out)))
    }

    /// Opens a value sealed by `seal` for the same row.
    pub fn open(&self, aad: &str, sealed: &str) -> Result<Vec<u8>> {
        let mut parts = sealed.splitn(3, ':');
        let (Some("v1"), Some(kid), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::internal("not an encrypted value"));
        };
        let cipher = self
            .keys
            .get(kid)
            .ok_or_else(|| Error::internal(format!("encryption key {kid} is not configured")))?;
        let raw = B64
            .decode(body)
            .map_err(|_| Error::internal("damaged encrypted value"))?;
        if raw.len() < NONCE_LEN {
            return Err(Error::internal("damaged encrypted value"));
        }
        let (n, ct) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::<XChaCha20Poly1305>::try_from(n)
            .map_err(|_| Error::internal("damaged encrypted value"))?;
        cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| Error::internal("encrypted value does not open (wrong key or row)"))
    }
}

/// The keyring of the configured database; without one, sealed data can be neither
/// written nor read, and the caller gets an internal error rather than clear text.
pub(crate) fn keyring(db: &crate::Db) -> Result<&Keyring> {
    db.settings.keyring.as_deref().ok_or_else(|| {
        Error::internal("no encryption key configured: special-category data cannot be stored")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_for_their_row_and_do_not_show_the_text() {
        let ring = Keyring::from_spec(&generate_key()).unwrap();
        let s = ring.seal("person:1", b"victim of trafficking").unwrap();
        assert!(!s.contains("trafficking"));
        assert_eq!(ring.open("person:1", &s).unwrap(), b"victim of trafficking");
        assert!(ring.open("person:2", &s).is_err());
    }

    #[test]
    fn old_keys_still_open_values_after_rotation() {
        let old = generate_key();
        let new = generate_key();
        let before = Keyring::from_spec(&format!("k1:{old}")).unwrap();
        let sealed = before.seal("r", b"x").unwrap();
        let after = Keyring::from_spec(&format!("k2:{new},k1:{old}")).unwrap();
        assert_eq!(after.open("r", &sealed).unwrap(), b"x");
        assert!(after.seal("r", b"y").unwrap().starts_with("v1:k2:"));
        let without = Keyring::from_spec(&format!("k2:{new}")).unwrap();
        assert!(without.open("r", &sealed).is_err());
    }

    #[test]
    fn bad_keys_are_refused_with_a_reason() {
        assert!(
            Keyring::from_spec("k1:not-base64!")
                .unwrap_err()
                .contains("base64")
        );
        assert!(
            Keyring::from_spec("k1:AAAA")
                .unwrap_err()
                .contains("32 bytes")
        );
        assert!(Keyring::from_spec("").is_err());
    }
}
