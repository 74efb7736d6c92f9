//! Aliases: friendly names (`alias/<name>`) for keys of the same account and region.
//! The names are validated by the application layer; the engine keeps them unique.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{ALIASES, KEYS, Kms, KmsError, Result, decode, encode, scope};

/// An alias as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// The full name, `alias/…`.
    pub name: String,
    pub target_key_id: String,
    pub creation_date: Timestamp,
    pub last_updated_date: Timestamp,
}

impl Alias {
    pub fn arn(&self, account: &str, region: &str) -> String {
        format!("arn:aws:kms:{region}:{account}:{}", self.name)
    }
}

pub(crate) fn store_key(account: &str, region: &str, name: &str) -> Vec<u8> {
    format!("{}{name}", scope(account, region)).into_bytes()
}

/// Whether the key an alias names is still there: an alias goes with its key, even before
/// the sweep removes it ([`crate::Key::is_gone`]).
fn target_lives(
    get: impl FnOnce(&[u8]) -> Result<Option<Vec<u8>>>,
    account: &str,
    region: &str,
    alias: &Alias,
    now: jiff::Timestamp,
) -> Result<bool> {
    let key = format!("{}{}", scope(account, region), alias.target_key_id).into_bytes();
    Ok(match get(&key)? {
        Some(bytes) => !decode::<crate::Key>(&bytes)?.is_gone(now),
        None => false,
    })
}

impl Kms {
    pub fn alias(&self, account: &str, region: &str, name: &str) -> Result<Option<Alias>> {
        let Some(bytes) = self.store.get(ALIASES, &store_key(account, region, name))? else {
            return Ok(None);
        };
        let alias: Alias = decode(&bytes)?;
        let get = |k: &[u8]| Ok(self.store.get(KEYS, k)?);
        Ok(target_lives(get, account, region, &alias, self.now())?.then_some(alias))
    }

    /// Every alias of (account, region) whose key is still there, in name order.
    pub fn aliases(&self, account: &str, region: &str) -> Result<Vec<Alias>> {
        let now = self.now();
        let mut out = Vec::new();
        for entry in self
            .store
            .prefix(ALIASES, scope(account, region).as_bytes())?
        {
            let (_, bytes) = entry?;
            let alias: Alias = decode(&bytes)?;
            let get = |k: &[u8]| Ok(self.store.get(KEYS, k)?);
            if target_lives(get, account, region, &alias, now)? {
                out.push(alias);
            }
        }
        Ok(out)
    }

    /// Creates alias `name` for key `target_key_id`; [`KmsError::AliasExists`] if taken,
    /// [`KmsError::NoSuchKey`] if the key went meanwhile.
    pub async fn create_alias(
        &self,
        account: &str,
        region: &str,
        name: &str,
        target_key_id: &str,
    ) -> Result<()> {
        let now = self.now();
        let alias = Alias {
            name: name.to_owned(),
            target_key_id: target_key_id.to_owned(),
            creation_date: now,
            last_updated_date: now,
        };
        let alias_key = store_key(account, region, name);
        let target = format!("{}{target_key_id}", scope(account, region)).into_bytes();
        let (account, region) = (account.to_owned(), region.to_owned());
        self.store
            .write(move |txn| {
                // An alias whose key is gone is free to take.
                if let Some(bytes) = txn.get(ALIASES, &alias_key)? {
                    let existing: Alias = decode(&bytes)?;
                    let get = |k: &[u8]| Ok(txn.get(KEYS, k)?);
                    if target_lives(get, &account, &region, &existing, now)? {
                        return Err(KmsError::AliasExists);
                    }
                }
                if txn.get(KEYS, &target)?.is_none() {
                    return Err(KmsError::NoSuchKey);
                }
                txn.put(ALIASES, alias_key, encode(&alias)?);
                Ok(())
            })
            .await
    }

    /// Points alias `name` at key `target_key_id`.
    pub async fn update_alias(
        &self,
        account: &str,
        region: &str,
        name: &str,
        target_key_id: &str,
    ) -> Result<()> {
        let now = self.now();
        let alias_key = store_key(account, region, name);
        let target_key_id = target_key_id.to_owned();
        let target = format!("{}{target_key_id}", scope(account, region)).into_bytes();
        self.store
            .write(move |txn| {
                let bytes = txn.get(ALIASES, &alias_key)?.ok_or(KmsError::NoSuchAlias)?;
                if txn.get(KEYS, &target)?.is_none() {
                    return Err(KmsError::NoSuchKey);
                }
                let mut alias: Alias = decode(&bytes)?;
                alias.target_key_id = target_key_id;
                alias.last_updated_date = now;
                txn.put(ALIASES, alias_key, encode(&alias)?);
                Ok(())
            })
            .await
    }

    pub async fn delete_alias(&self, account: &str, region: &str, name: &str) -> Result<()> {
        let alias_key = store_key(account, region, name);
        self.store
            .write(move |txn| {
                if txn.get(ALIASES, &alias_key)?.is_none() {
                    return Err(KmsError::NoSuchAlias);
                }
                txn.delete(ALIASES, alias_key);
                Ok(())
            })
            .await
    }
}
