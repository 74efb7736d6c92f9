//! strata's KMS engine: symmetric keys per (account, region), their key policies and tags,
//! aliases, and the authenticated encryption behind Encrypt, Decrypt and data keys.
//!
//! It owns the `kms.*` keyspaces of the store. Every key has 256 bits of secret material,
//! kept in the store beside its record and never returned; a ciphertext names the key that
//! made it (account, region, key id) and binds the encryption context ([`ciphertext`]).
//!
//! It never sees HTTP and knows nothing of callers or policies: the application layer
//! (`strata_app::kms`) resolves the key a request names, authorizes it against the key
//! policy stored here, applies AWS's key-state rules and renders the wire answer.
//!
//! Invariants:
//! - a key record and the aliases naming it change in one store write, so an alias never
//!   names a key that is gone;
//! - at most one AWS managed key per (account, region, service) and its alias
//!   `alias/aws/<service>` is created together with it ([`Kms::aws_managed_key`]).

mod alias;
pub mod ciphertext;
mod error;
mod key;

pub use alias::Alias;
pub use ciphertext::{CiphertextKey, EncryptionContext};
pub use error::KmsError;
pub use key::{Key, KeyManager, KeyState, NewKey, Tag};

use strata_clock::Clock;
use strata_storage::{RecordKind, Store};

/// `ACCOUNT/REGION/KEY ID` → a [`Key`].
const KEYS: &str = "kms.keys";
/// `ACCOUNT/REGION/ALIAS NAME` → an [`Alias`].
const ALIASES: &str = "kms.aliases";

/// The kinds of record the engine stores ([`strata_storage::RecordKind`]).
pub const RECORD_KINDS: &[RecordKind] = &[
    RecordKind {
        keyspace: KEYS,
        format: 1,
    },
    RecordKind {
        keyspace: ALIASES,
        format: 1,
    },
];

pub type Result<T, E = KmsError> = std::result::Result<T, E>;

/// The KMS engine over the shared store.
#[derive(Clone)]
pub struct Kms {
    store: Store,
    clock: Clock,
}

/// The store key prefix of one (account, region).
fn scope(account: &str, region: &str) -> String {
    format!("{account}/{region}/")
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| KmsError::Corrupt(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| KmsError::Corrupt(e.to_string()))
}

impl Kms {
    pub fn new(store: Store, clock: Clock) -> Self {
        Self { store, clock }
    }

    /// Now on the server clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests;
