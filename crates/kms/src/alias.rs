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

impl Kms {
    pub fn alias(&self, account: &str, region: &str, name: &str) -> Result<Option<Alias>> {
        self.store
            .get(ALIASES, &store_key(account, region, name))?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// Every alias of (account, region), in name order.
    pub fn aliases(&self, account: &str, region: &str) -> Result<Vec<Alias>> {
        let mut out = Vec::new();
        for entry in self
            .store
            .prefix(ALIASES, scope(account, region).as_bytes())?
        {
            let (_, bytes) = entry?;
            out.push(decode(&bytes)?);
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
        self.store
            .write(move |txn| {
                if txn.get(ALIASES, &alias_key)?.is_some() {
                    return Err(KmsError::AliasExists);
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
