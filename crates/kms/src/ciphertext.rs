//! KMS ciphertexts (spec kms-sse §2.5): what Encrypt and GenerateDataKey return and Decrypt
//! takes. Pure: no I/O.
//!
//! Layout (strata's own; AWS's is opaque too):
//!
//! ```text
//! 01 02 03 00 | account (12 ASCII digits) | region length (1) | region | key id (36 ASCII)
//!             | nonce (12) | AES-256-GCM ciphertext and tag (16)
//! ```
//!
//! The header names the key, so Decrypt needs no `KeyId`; it is authenticated as additional
//! data together with the encryption context (pairs sorted by key, each length-prefixed), so
//! a ciphertext decrypts only under the key and the exact context it was made with. The
//! context itself is never stored in the blob.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

use crate::key::random_bytes;
use crate::{Key, Result};

/// The first bytes of every ciphertext (AWS's begin `01 02 03 00` too).
const MAGIC: [u8; 4] = [1, 2, 3, 0];
const ACCOUNT_LEN: usize = 12;
const KEY_ID_LEN: usize = 36;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// `EncryptionContext`: order is irrelevant, so it is kept sorted.
pub type EncryptionContext = BTreeMap<String, String>;

/// The key a ciphertext says made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiphertextKey {
    pub account: String,
    pub region: String,
    pub key_id: String,
}

/// The header a ciphertext starts with, and where its nonce begins.
fn header(blob: &[u8]) -> Option<(CiphertextKey, usize)> {
    let rest = blob.strip_prefix(&MAGIC)?;
    let account = rest.get(..ACCOUNT_LEN)?;
    let region_len = usize::from(*rest.get(ACCOUNT_LEN)?);
    let region_start = ACCOUNT_LEN + 1;
    let region = rest.get(region_start..region_start + region_len)?;
    let key_start = region_start + region_len;
    let key_id = rest.get(key_start..key_start + KEY_ID_LEN)?;
    let text = |b: &[u8]| std::str::from_utf8(b).ok().map(str::to_owned);
    let key = CiphertextKey {
        account: text(account)?,
        region: text(region)?,
        key_id: text(key_id)?,
    };
    Some((key, MAGIC.len() + key_start + KEY_ID_LEN))
}

/// The key named by `blob`, or `None` if it is not a ciphertext strata made.
pub fn key_of(blob: &[u8]) -> Option<CiphertextKey> {
    let (key, nonce_at) = header(blob)?;
    (blob.len() >= nonce_at + NONCE_LEN + TAG_LEN).then_some(key)
}

fn additional_data(header: &[u8], context: &EncryptionContext) -> Vec<u8> {
    let mut aad = header.to_vec();
    for (k, v) in context {
        for part in [k, v] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
    }
    aad
}

impl Key {
    /// Encrypts `plaintext` under this key, bound to `context`.
    pub fn encrypt(&self, plaintext: &[u8], context: &EncryptionContext) -> Result<Vec<u8>> {
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(self.account.as_bytes());
        blob.push(u8::try_from(self.region.len()).unwrap_or(u8::MAX));
        blob.extend_from_slice(self.region.as_bytes());
        blob.extend_from_slice(self.key_id.as_bytes());
        let nonce = random_bytes::<NONCE_LEN>()?;
        let aad = additional_data(&blob, context);
        let cipher = Aes256Gcm::new(&self.material()?.into());
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| crate::KmsError::Corrupt("AES-GCM refused to encrypt".into()))?;
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(blob)
    }

    /// The plaintext of `blob` if this key made it under exactly `context`; `None` for a
    /// ciphertext of another key, another context, or one altered in any byte.
    pub fn decrypt(&self, blob: &[u8], context: &EncryptionContext) -> Result<Option<Vec<u8>>> {
        let Some((named, nonce_at)) = header(blob) else {
            return Ok(None);
        };
        if named.account != self.account
            || named.region != self.region
            || named.key_id != self.key_id
            || blob.len() < nonce_at + NONCE_LEN + TAG_LEN
        {
            return Ok(None);
        }
        let (head, rest) = blob.split_at(nonce_at);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let aad = additional_data(head, context);
        let cipher = Aes256Gcm::new(&self.material()?.into());
        Ok(cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .ok())
    }
}
