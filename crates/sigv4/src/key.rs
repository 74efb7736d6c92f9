//! Signing-key derivation and its cache.
//!
//! Deriving a key costs four HMACs (≈ 0.9 µs); a key is valid for one
//! (secret, date, region, service), so the verifier caches it per access key.

use std::collections::HashMap;
use std::sync::RwLock;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A derived SigV4 signing key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SigningKey(pub [u8; 32]);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub fn derive_signing_key(secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    SigningKey(hmac(&k_service, b"aws4_request"))
}

impl SigningKey {
    /// The hex signature of a string to sign.
    pub fn sign(&self, string_to_sign: &str) -> String {
        crate::canonical::lower_hex(&hmac(&self.0, string_to_sign.as_bytes()))
    }
}

/// Cached signing keys, keyed by the whole derivation input so that a changed
/// secret can never reuse a stale key. A hit allocates nothing and takes only a
/// read lock. Bounded: cleared when it grows past `capacity` entries (keys are
/// cheap to rederive; an LRU would buy little).
#[derive(Debug)]
pub struct SigningKeyCache {
    keys: RwLock<HashMap<u64, Vec<(CacheKey, SigningKey)>>>,
    capacity: usize,
}

#[derive(Debug, PartialEq, Eq)]
struct CacheKey {
    secret: String,
    date: String,
    region: String,
    service: String,
}

impl CacheKey {
    fn is(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        self.secret == secret
            && self.date == date
            && self.region == region
            && self.service == service
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::with_capacity(4096)
    }
}

fn slot(secret: &str, date: &str, region: &str, service: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (secret, date, region, service).hash(&mut h);
    h.finish()
}

impl SigningKeyCache {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            keys: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    /// The signing key for this scope, derived at most once while cached.
    pub fn get(&self, secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        let slot = slot(secret, date, region, service);
        {
            // A poisoned lock only means another thread panicked while holding a
            // plain HashMap; the map is still valid, so keep using it.
            let keys = self
                .keys
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(bucket) = keys.get(&slot)
                && let Some((_, key)) = bucket
                    .iter()
                    .find(|(k, _)| k.is(secret, date, region, service))
            {
                return *key;
            }
        }
        let derived = derive_signing_key(secret, date, region, service);
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if keys.len() >= self.capacity {
            keys.clear();
        }
        let bucket = keys.entry(slot).or_default();
        if !bucket
            .iter()
            .any(|(k, _)| k.is(secret, date, region, service))
        {
            bucket.push((
                CacheKey {
                    secret: secret.to_owned(),
                    date: date.to_owned(),
                    region: region.to_owned(),
                    service: service.to_owned(),
                },
                derived,
            ));
        }
        derived
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in AWS's "Deriving the signing key" documentation.
    #[test]
    fn derives_documented_key() {
        let key = derive_signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key.0),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn cache_returns_same_key_and_stays_bounded() {
        let cache = SigningKeyCache::with_capacity(2);
        let a = cache.get("s", "20150830", "us-east-1", "sts");
        assert_eq!(a, derive_signing_key("s", "20150830", "us-east-1", "sts"));
        for region in ["a", "b", "c", "d"] {
            cache.get("s", "20150830", region, "sts");
        }
        assert!(cache.keys.read().unwrap().len() <= 2);
    }
}
