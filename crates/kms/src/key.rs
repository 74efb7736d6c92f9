//! Keys: the record of one symmetric KMS key (its metadata, key policy, tags and secret
//! material) and the engine's operations on keys.
//!
//! A key scheduled for deletion stays a record until the sweep removes it; from its
//! `deletion_date` on it reads as absent ([`Key::is_gone`]), so a late sweep never lets a
//! deleted key be used.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{ALIASES, KEYS, Kms, KmsError, Result, decode, encode, scope};

/// `KeyState` (spec kms-sse §2.4), for the states a symmetric AWS_KMS key can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::PendingDeletion => "PendingDeletion",
        }
    }
}

/// `KeyManager`: a key the account created, or one AWS created for a service (`aws/s3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyManager {
    Customer,
    Aws,
}

impl KeyManager {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "CUSTOMER",
            Self::Aws => "AWS",
        }
    }
}

/// A resource tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A key as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub account: String,
    pub region: String,
    /// A lowercase UUID.
    pub key_id: String,
    pub creation_date: Timestamp,
    pub description: String,
    pub state: KeyState,
    /// When a key pending deletion is deleted.
    pub deletion_date: Option<Timestamp>,
    pub pending_window_days: Option<u32>,
    pub manager: KeyManager,
    /// The key policy exactly as sent (or as AWS writes the default one).
    pub policy: String,
    /// The user and role ARNs the key policy names, bound to their unique ids when it was
    /// saved: a principal deleted and recreated under the same name no longer matches.
    pub policy_bindings: Vec<(String, String)>,
    pub tags: Vec<Tag>,
    /// The 256-bit secret. Never leaves the server.
    material: Material,
}

/// A key's secret material, hex in the store; its `Debug` never shows it, so a key logged
/// with `{:?}` gives nothing away.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
struct Material(String);

impl std::fmt::Debug for Material {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

/// What CreateKey (or the first use of an AWS managed key) decides about a new key.
pub struct NewKey {
    pub account: String,
    pub region: String,
    pub description: String,
    pub manager: KeyManager,
    pub policy: String,
    pub policy_bindings: Vec<(String, String)>,
    pub tags: Vec<Tag>,
}

impl Key {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:kms:{}:{}:key/{}",
            self.region, self.account, self.key_id
        )
    }

    /// Whether a key pending deletion has reached its deletion date: it is then gone,
    /// whether or not the sweep has removed its record yet.
    pub fn is_gone(&self, now: Timestamp) -> bool {
        self.state == KeyState::PendingDeletion && self.deletion_date.is_some_and(|d| d <= now)
    }

    /// The secret material, 32 bytes.
    pub(crate) fn material(&self) -> Result<[u8; 32]> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(&self.material.0, &mut out)
            .map_err(|_| KmsError::Corrupt(format!("key material of {}", self.key_id)))?;
        Ok(out)
    }

    /// `CurrentKeyMaterialId`/`KeyMaterialId`: a digest of the material that identifies it
    /// without revealing it (64 hex digits, as AWS shows).
    pub fn material_id(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.material.0.as_bytes()))
    }
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| KmsError::Random(e.to_string()))?;
    Ok(out)
}

fn key_of(account: &str, region: &str, key_id: &str) -> Vec<u8> {
    format!("{}{key_id}", scope(account, region)).into_bytes()
}

impl Kms {
    /// Stores a new key with fresh material and a new id.
    pub async fn create_key(&self, new: NewKey) -> Result<Key> {
        let key = self.new_key(new)?;
        let stored = key.clone();
        self.store
            .write(move |txn| {
                txn.put(
                    KEYS,
                    key_of(&stored.account, &stored.region, &stored.key_id),
                    encode(&stored)?,
                );
                Ok::<_, KmsError>(())
            })
            .await?;
        Ok(key)
    }

    fn new_key(&self, new: NewKey) -> Result<Key> {
        let id = uuid::Builder::from_random_bytes(random_bytes::<16>()?).into_uuid();
        Ok(Key {
            account: new.account,
            region: new.region,
            key_id: id.hyphenated().to_string(),
            creation_date: self.now(),
            description: new.description,
            state: KeyState::Enabled,
            deletion_date: None,
            pending_window_days: None,
            manager: new.manager,
            policy: new.policy,
            policy_bindings: new.policy_bindings,
            tags: new.tags,
            material: Material(hex::encode(random_bytes::<32>()?)),
        })
    }

    /// The key `key_id` of (account, region), unless it is absent or gone.
    pub fn key(&self, account: &str, region: &str, key_id: &str) -> Result<Option<Key>> {
        let Some(bytes) = self.store.get(KEYS, &key_of(account, region, key_id))? else {
            return Ok(None);
        };
        let key: Key = decode(&bytes)?;
        Ok((!key.is_gone(self.now())).then_some(key))
    }

    /// Every key of (account, region) still there, in key-id order.
    pub fn keys(&self, account: &str, region: &str) -> Result<Vec<Key>> {
        let now = self.now();
        let mut out = Vec::new();
        for entry in self.store.prefix(KEYS, scope(account, region).as_bytes())? {
            let (_, bytes) = entry?;
            let key: Key = decode(&bytes)?;
            if !key.is_gone(now) {
                out.push(key);
            }
        }
        Ok(out)
    }

    /// Changes key `key_id` with `change`, inside one write; `NoSuchKey` if it is absent or
    /// gone. `change` may refuse with its own error (a key-state rule).
    pub async fn update_key<T, E, F>(
        &self,
        account: &str,
        region: &str,
        key_id: &str,
        change: F,
    ) -> std::result::Result<T, E>
    where
        T: Send + 'static,
        E: From<KmsError> + From<strata_storage::StorageError> + Send + 'static,
        F: FnOnce(&mut Key) -> std::result::Result<T, E> + Send + 'static,
    {
        let store_key = key_of(account, region, key_id);
        let now = self.now();
        self.store
            .write(move |txn| {
                let bytes = txn
                    .get(KEYS, &store_key)
                    .map_err(KmsError::from)?
                    .ok_or(KmsError::NoSuchKey)?;
                let mut key: Key = decode(&bytes)?;
                if key.is_gone(now) {
                    return Err(KmsError::NoSuchKey.into());
                }
                let out = change(&mut key)?;
                txn.put(KEYS, store_key, encode(&key)?);
                Ok(out)
            })
            .await
    }

    /// Removes every key of any account whose deletion date has passed, with the aliases
    /// that name it (the periodic sweep). Returns how many keys went.
    pub async fn delete_due_keys(&self) -> Result<usize> {
        let now = self.now();
        let mut due = Vec::new();
        for entry in self.store.prefix(KEYS, b"")? {
            let (store_key, bytes) = entry?;
            let key: Key = decode(&bytes)?;
            if key.is_gone(now) {
                due.push((store_key, key));
            }
        }
        let count = due.len();
        for (store_key, key) in due {
            self.store
                .write(move |txn| {
                    // Re-read inside the write: a key cancelled in between stays.
                    let Some(bytes) = txn.get(KEYS, &store_key)? else {
                        return Ok(());
                    };
                    let current: Key = decode(&bytes)?;
                    if !current.is_gone(now) {
                        return Ok(());
                    }
                    txn.delete(KEYS, store_key);
                    // Every alias naming it, read raw: `aliases` hides those of a gone key.
                    let scope = crate::scope(&key.account, &key.region);
                    for alias_key in txn.prefix_keys(ALIASES, scope.as_bytes())? {
                        let Some(bytes) = txn.get(ALIASES, &alias_key)? else {
                            continue;
                        };
                        if decode::<crate::Alias>(&bytes)?.target_key_id == key.key_id {
                            txn.delete(ALIASES, alias_key);
                        }
                    }
                    Ok::<_, KmsError>(())
                })
                .await?;
        }
        Ok(count)
    }

    /// The AWS managed key of `service` (`s3`) in (account, region), created with its
    /// alias `alias/aws/<service>` on first use (spec kms-sse §2.6). `policy` writes its key
    /// policy for the new key's account and region.
    pub async fn aws_managed_key(
        &self,
        account: &str,
        region: &str,
        service: &str,
        description: &str,
        policy: impl FnOnce() -> String,
    ) -> Result<Key> {
        let name = format!("alias/aws/{service}");
        if let Some(alias) = self.alias(account, region, &name)?
            && let Some(key) = self.key(account, region, &alias.target_key_id)?
        {
            return Ok(key);
        }
        let key = self.new_key(NewKey {
            account: account.to_owned(),
            region: region.to_owned(),
            description: description.to_owned(),
            manager: crate::KeyManager::Aws,
            policy: policy(),
            policy_bindings: Vec::new(),
            tags: Vec::new(),
        })?;
        let alias = crate::Alias {
            name: name.clone(),
            target_key_id: key.key_id.clone(),
            creation_date: key.creation_date,
            last_updated_date: key.creation_date,
        };
        let (account, region) = (account.to_owned(), region.to_owned());
        self.store
            .write(move |txn| {
                let alias_key = crate::alias::store_key(&account, &region, &name);
                // Two first uses racing: the one that committed first wins.
                if let Some(bytes) = txn.get(ALIASES, &alias_key)? {
                    let existing: crate::Alias = decode(&bytes)?;
                    if let Some(bytes) =
                        txn.get(KEYS, &key_of(&account, &region, &existing.target_key_id))?
                    {
                        return decode(&bytes);
                    }
                }
                txn.put(KEYS, key_of(&account, &region, &key.key_id), encode(&key)?);
                txn.put(ALIASES, alias_key, encode(&alias)?);
                Ok::<_, KmsError>(key)
            })
            .await
    }
}
