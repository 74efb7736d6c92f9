//! Where export and import records live: one keyspace of records keyed
//! `account\0region\0<ARN>` (so a scope lists in ARN order) and one of ClientTokens keyed
//! `account\0region\0<token>` → the ARN they created. [`crate::exports`] and
//! [`crate::imports`] add their own rules on top.

use serde::Serialize;
use serde::de::DeserializeOwned;
use strata_storage::{Store, WriteTxn};

use crate::error::{DynamoDbError, Result};
use crate::layout;

/// The keyspaces of one kind of job record.
pub(crate) struct JobRecords {
    pub records: &'static str,
    pub tokens: &'static str,
    /// `export` or `import`, for corruption messages.
    pub what: &'static str,
}

pub(crate) fn scoped(account: &str, region: &str, rest: &str) -> Vec<u8> {
    let mut key = layout::scope_prefix(account, region);
    key.extend_from_slice(rest.as_bytes());
    key
}

impl JobRecords {
    pub fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        serde_json::from_slice(bytes)
            .map_err(|e| DynamoDbError::Corrupt(format!("{} record: {e}", self.what)))
    }

    pub fn encode<T: Serialize>(record: &T) -> Vec<u8> {
        serde_json::to_vec(record).expect("job records serialize")
    }

    /// The record a ClientToken created, read inside a write closure.
    pub fn by_token<T: DeserializeOwned>(
        &self,
        txn: &WriteTxn,
        account: &str,
        region: &str,
        token: &str,
    ) -> Result<Option<T>> {
        let Some(arn) = txn.get(self.tokens, &scoped(account, region, token))? else {
            return Ok(None);
        };
        let arn = String::from_utf8_lossy(&arn).into_owned();
        let record = txn
            .get(self.records, &scoped(account, region, &arn))?
            .ok_or_else(|| DynamoDbError::Corrupt(format!("{} token without record", self.what)))?;
        self.decode(&record).map(Some)
    }

    /// Stores a new record and the token that created it.
    pub fn insert<T: Serialize>(
        &self,
        txn: &mut WriteTxn,
        account: &str,
        region: &str,
        arn: &str,
        token: &str,
        record: &T,
    ) {
        txn.put(
            self.tokens,
            scoped(account, region, token),
            arn.as_bytes().to_vec(),
        );
        txn.put(
            self.records,
            scoped(account, region, arn),
            Self::encode(record),
        );
    }

    pub fn get<T: DeserializeOwned>(
        &self,
        store: &Store,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<Option<T>> {
        store
            .get(self.records, &scoped(account, region, arn))?
            .map(|bytes| self.decode(&bytes))
            .transpose()
    }

    /// Every record under `prefix` (a scope, or `b""` for all).
    pub fn list<T: DeserializeOwned>(&self, store: &Store, prefix: &[u8]) -> Result<Vec<T>> {
        store
            .prefix(self.records, prefix)?
            .map(|row| self.decode(&row?.1))
            .collect()
    }

    /// Applies `change` to the stored record, atomically.
    pub async fn update<T, F>(
        &'static self,
        store: &Store,
        account: &str,
        region: &str,
        arn: &str,
        change: F,
    ) -> Result<T>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(&mut T) + Send + 'static,
    {
        let key = scoped(account, region, arn);
        store
            .write(move |txn| {
                let mut current: T = self
                    .decode(&txn.get(self.records, &key)?.ok_or_else(|| {
                        DynamoDbError::Corrupt(format!("{} vanished", self.what))
                    })?)?;
                change(&mut current);
                txn.put(self.records, key, Self::encode(&current));
                Ok(current)
            })
            .await
    }
}
